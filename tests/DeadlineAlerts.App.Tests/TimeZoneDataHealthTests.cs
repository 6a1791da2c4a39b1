using System.Text.Json;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace DeadlineAlerts.App.Tests;

public sealed class TimeZoneDataHealthTests
{
    [Fact]
    public async Task Health_names_the_tz_data_version_in_use()
    {
        await using var t = await TestInstallation.CreateAsync(Instant.FromUtc(2025, 7, 29, 8, 0));

        var response = await t.Services.GetRequiredService<ApiRouter>().HandleAsync(new ApiRequest { Method = "GET", Path = "/api/health" });

        Assert.Equal("2026f", JsonDocument.Parse(response.Body).RootElement.GetProperty("tzdb").GetString());
    }
}

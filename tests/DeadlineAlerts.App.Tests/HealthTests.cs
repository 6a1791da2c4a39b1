using System.Text.Json;
using Azure.Core;
using Azure.Identity;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.Health;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.App.Tests;

/// <summary>GET /api/health on Azurite, as a probe or an operator sees it: status code, status, last tick and its lag.</summary>
public sealed class HealthTests
{
    private static readonly Instant July29 = Instant.FromUtc(2025, 7, 29, 8, 0);

    private static async Task<(int Status, JsonElement Body, string Text)> GetHealthAsync(IServiceProvider services)
    {
        var response = await services.GetRequiredService<ApiRouter>().HandleAsync(new ApiRequest { Method = "GET", Path = "/api/health" });
        Assert.StartsWith("application/json", response.ContentType);
        Assert.Equal("no-store", response.Headers["Cache-Control"]);
        return (response.Status, JsonDocument.Parse(response.Body).RootElement.Clone(), response.BodyText);
    }

    [Fact]
    public async Task Healthy_after_a_tick_with_the_last_tick_and_its_lag()
    {
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01")], [Subscriber("desk", "http://127.0.0.1:9/hook")]));
        t.Clock.Reset(Instant.FromUtc(2025, 7, 29, 8, 1));
        await t.Get<ScanService>().TickAsync();
        t.Clock.Reset(Instant.FromUtc(2025, 7, 29, 8, 1, 45));

        var (status, body, _) = await GetHealthAsync(t.Services);

        Assert.Equal(200, status);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal("2025-07-29T08:01:00Z", body.GetProperty("lastTick").GetString());
        Assert.Equal("2025-07-29T08:01:45Z", body.GetProperty("checkedAt").GetString());
        Assert.Equal(45, body.GetProperty("lagSeconds").GetDouble());
        Assert.Equal(60, body.GetProperty("scanPeriodSeconds").GetDouble());
        Assert.Equal(0, body.GetProperty("queuedMessages").GetInt32());
        Assert.All(body.GetProperty("checks").EnumerateArray(), c => Assert.Equal("healthy", c.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Degraded_but_still_200_when_the_clock_runs_more_than_three_scan_periods_past_the_last_tick()
    {
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01")], [Subscriber("desk", "http://127.0.0.1:9/hook")]));
        t.Clock.Reset(Instant.FromUtc(2025, 7, 29, 8, 1));
        await t.Get<ScanService>().TickAsync();

        t.Clock.Reset(Instant.FromUtc(2025, 7, 29, 8, 4)); // exactly three periods: still healthy
        Assert.Equal("healthy", (await GetHealthAsync(t.Services)).Body.GetProperty("status").GetString());

        t.Clock.Reset(Instant.FromUtc(2025, 7, 29, 8, 4, 1));
        var (status, body, _) = await GetHealthAsync(t.Services);

        Assert.Equal(200, status);
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        Assert.Equal(181, body.GetProperty("lagSeconds").GetDouble());
        var scan = body.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "scan");
        Assert.Equal("degraded", scan.GetProperty("status").GetString());
        Assert.Contains("more than 3 scan periods", scan.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Degraded_when_no_tick_has_completed_yet()
    {
        await using var t = await TestInstallation.CreateAsync(July29);

        var (status, body, _) = await GetHealthAsync(t.Services);

        Assert.Equal(200, status);
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        Assert.False(body.TryGetProperty("lastTick", out _)); // the API leaves out what is null
        Assert.Contains("no tick has completed yet",
            body.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "scan").GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Unhealthy_503_when_storage_is_unreachable_and_the_body_names_no_secret()
    {
        var closed = LoopbackReceiver.FreePort();
        const string key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
        var connection = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};" +
                         $"TableEndpoint=http://127.0.0.1:{closed}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{closed}/devstoreaccount1;";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DeadlineAlerts:Storage"] = connection,
            ["DeadlineAlerts:HealthCheckTimeout"] = "00:00:02",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IClock>(new FakeClock(July29));
        services.AddDeadlineAlerts(configuration);
        await using var provider = services.BuildServiceProvider();

        var (status, body, text) = await GetHealthAsync(provider);

        Assert.Equal(503, status);
        Assert.Equal("unhealthy", body.GetProperty("status").GetString());
        var checks = body.GetProperty("checks").EnumerateArray().ToList();
        Assert.Equal(["tables", "queue"], checks.Select(c => c.GetProperty("name").GetString()));
        Assert.All(checks, c => Assert.Equal("unhealthy", c.GetProperty("status").GetString()));
        Assert.DoesNotContain(key, text);
        Assert.DoesNotContain("AccountKey", text);
        Assert.DoesNotContain("devstoreaccount1", text);
        Assert.DoesNotContain($":{closed}", text);
    }

    [Fact]
    public async Task Unhealthy_503_when_the_apps_identity_cannot_sign_in()
    {
        var closed = LoopbackReceiver.FreePort();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DeadlineAlerts:Storage:TableServiceUri"] = $"https://127.0.0.1:{closed}/",
            ["DeadlineAlerts:Storage:QueueServiceUri"] = $"https://127.0.0.1:{closed}/",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IClock>(new FakeClock(July29))
            .AddSingleton<TokenCredential>(new NoIdentity()); // what DefaultAzureCredential does where no identity is assigned
        services.AddDeadlineAlerts(configuration);
        await using var provider = services.BuildServiceProvider();

        var (status, body, _) = await GetHealthAsync(provider);

        Assert.Equal(503, status);
        Assert.All(body.GetProperty("checks").EnumerateArray(), c => Assert.Contains("could not be signed in", c.GetProperty("detail").GetString()));
    }

    private sealed class NoIdentity : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new CredentialUnavailableException("ManagedIdentityCredential authentication unavailable. No response received from the managed identity endpoint.");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    [Fact]
    public async Task Health_is_public_while_operator_routes_need_a_key()
    {
        await using var t = await TestInstallation.CreateAsync(July29);
        var router = t.Get<ApiRouter>();

        var route = Assert.Single(router.Routes, r => r.Template == HealthModule.Route);
        Assert.Equal(("GET", ApiAccess.Public), (route.Method, route.Access));
        var response = await router.HandleAsync(new ApiRequest { Method = "GET", Path = "/api/health", Headers = new Dictionary<string, string>() });
        Assert.NotEqual(401, response.Status);
    }
}

using System.Text.Json;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Testing;
using NodaTime;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.App.Tests;

/// <summary>Quiet hours through real ticks on Azurite to a loopback receiver.</summary>
public sealed class QuietHoursPipelineTests
{
    private static readonly Instant July29 = Instant.FromUtc(2025, 7, 29, 8, 0);

    /// <summary>A New York desk that sleeps; the truce is due 00:01 EDT on 12 Aug, so P1D fires at 00:01 EDT on 11 Aug.</summary>
    private static string File(LoopbackReceiver receiver, string to) => DeadlineAlerts.Testing.Records.File(
        [Deadline("us-china-tariff-truce", "2025-08-12T00:01", leadTimes: ["P1D", "PT0S"])],
        [new
        {
            id = "ny-desk", name = "New York desk", timeZone = "America/New_York", categories = new[] { "tariff" },
            channels = new[] { new { type = "webhook", url = receiver.Url(), secret = "whsec_" + Convert.ToBase64String(new byte[32]) } },
            quietHours = new { from = "22:00", to },
        }]);

    private static async Task TickAndDrainAsync(TestInstallation t, Instant at)
    {
        t.Clock.Reset(at);
        await t.Get<ScanService>().TickAsync();
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_held_alert_is_delivered_once_at_the_end_of_quiet_hours_and_due_now_passes_through()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(File(receiver, "07:00"));

        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 11, 4, 1, 30)); // 00:01 EDT: asleep
        Assert.Empty(receiver.Requests);
        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 11, 11, 0, 30)); // 07:00 EDT
        var held = JsonDocument.Parse(Assert.Single(receiver.Requests).Body).RootElement;
        Assert.Equal("P1D", held.GetProperty("leadTime").GetString());
        Assert.Equal("2025-08-11T11:00:00Z", held.GetProperty("fireAt").GetString());
        Assert.Equal("17 hours, 1 minute left", held.GetProperty("countdown").GetString());
        Assert.False(held.GetProperty("late").GetBoolean());

        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 11, 12, 0, 0));
        Assert.Single(receiver.Requests);
        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 12, 4, 1, 30)); // due now, at 00:01 EDT, inside quiet hours
        Assert.Equal(["P1D", "PT0S"], receiver.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("leadTime").GetString()));
    }

    [Fact]
    public async Task Changing_quiet_hours_moves_the_held_alert_and_it_is_still_sent_once()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(File(receiver, "07:00"));
        t.Clock.Reset(Instant.FromUtc(2025, 8, 1, 12, 0));
        var reimport = await t.ImportAsync(File(receiver, "09:00"));
        Assert.Equal(["subscriber ny-desk"], reimport.Updated);

        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 11, 11, 0, 30)); // 07:00 EDT: the old end, no longer in force
        Assert.Empty(receiver.Requests);
        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 11, 13, 0, 30)); // 09:00 EDT
        Assert.Equal("2025-08-11T13:00:00Z", JsonDocument.Parse(Assert.Single(receiver.Requests).Body).RootElement.GetProperty("fireAt").GetString());
    }
}

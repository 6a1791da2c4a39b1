using System.Text.Json;
using DeadlineAlerts.App.Digest;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Storage.Ledger;
using DeadlineAlerts.Testing;
using NodaTime;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.App.Tests;

/// <summary>Digests on Azurite: planned once per period in the subscriber's zone, delivered to a real loopback receiver.</summary>
public sealed class DigestTests
{
    private static object DigestSubscriber(LoopbackReceiver receiver, string zone, object digest, string id = "desk") => new
    {
        id,
        name = $"Subscriber {id}",
        timeZone = zone,
        categories = new[] { "tariff" },
        leadTimes = new[] { "PT0S" },
        digest,
        channels = new[] { new { type = "webhook", url = receiver.Url(id), secret = "whsec_" + Convert.ToBase64String(new byte[32]) } },
    };

    private static readonly object MondayEight = new { every = "week", on = "monday", at = "08:00" };

    /// <summary>Runs the digest service at <paramref name="at"/> and delivers what it queued.</summary>
    private static async Task<DigestRunResult> RunAsync(TestInstallation t, Instant at)
    {
        t.Clock.Reset(at);
        var result = await t.Get<DigestService>().RunAsync(at);
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(20));
        return result;
    }

    private static List<JsonElement> Digests(LoopbackReceiver receiver) =>
        receiver.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();

    [Fact]
    public async Task A_weekly_digest_comes_at_eight_stockholm_time_every_monday_across_the_october_clock_change()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(Instant.FromUtc(2025, 10, 15, 12, 0));
        await t.ImportAsync(File([Deadline("truce", "2025-11-10T00:01")], [DigestSubscriber(receiver, "Europe/Stockholm", MondayEight)]));

        Assert.Equal(0, (await RunAsync(t, Instant.FromUtc(2025, 10, 20, 5, 59))).Planned);  // 07:59 CEST
        Assert.Equal(1, (await RunAsync(t, Instant.FromUtc(2025, 10, 20, 6, 0))).Planned);   // 08:00 CEST
        Assert.Equal(0, (await RunAsync(t, Instant.FromUtc(2025, 10, 27, 6, 0))).Planned);   // 07:00 CET: not yet
        Assert.Equal(1, (await RunAsync(t, Instant.FromUtc(2025, 10, 27, 7, 0))).Planned);   // 08:00 CET

        var sent = Digests(receiver);
        Assert.Equal(["2025-10-20T06:00:00Z", "2025-10-27T07:00:00Z"], sent.Select(d => d.GetProperty("sendAt").GetString()));
        Assert.Equal(["2025-10-20", "2025-10-27"], sent.Select(d => d.GetProperty("period").GetString()));
        Assert.All(sent, d => Assert.Equal("deadline.digest", d.GetProperty("type").GetString()));
        Assert.All(sent, d => Assert.False(d.GetProperty("late").GetBoolean()));
    }

    [Fact]
    public async Task A_daily_digest_lists_followed_active_deadlines_with_countdowns_in_the_subscribers_zone()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(Instant.FromUtc(2025, 7, 29, 8, 0));
        var resolved = new { id = "resolved", title = "Already met", due = "2025-08-10T12:00", timeZone = "UTC", category = "tariff", status = "resolved" };
        var otherCategory = new { id = "steel", title = "Steel", due = "2025-08-10T12:00", timeZone = "UTC", category = "steel" };
        await t.ImportAsync(File(
            [Deadline("truce", "2025-08-12T00:01", title: "US-China tariff truce expires"),
             Deadline("overdue", "2025-08-01T09:00", zone: "Europe/Brussels", title: "EU reply due"),
             Deadline("far", "2025-10-01T09:00", title: "Beyond the horizon"),
             resolved, otherCategory],
            [DigestSubscriber(receiver, "Asia/Shanghai", new { every = "day", at = "07:30" })]));

        await RunAsync(t, Instant.FromUtc(2025, 8, 4, 23, 30)); // Tue 5 Aug 07:30 in Shanghai

        var digest = Assert.Single(Digests(receiver));
        Assert.Equal("2025-08-05", digest.GetProperty("period").GetString());
        Assert.Equal("Asia/Shanghai", digest.GetProperty("timeZone").GetString());
        var items = digest.GetProperty("deadlines").EnumerateArray().ToList();
        Assert.Equal(["overdue", "truce"], items.Select(i => i.GetProperty("id").GetString()));
        Assert.True(items[0].GetProperty("overdue").GetBoolean());
        Assert.Equal("3 days, 16 hours", items[0].GetProperty("countdown").GetString()); // due 07:00Z on 1 Aug
        Assert.Equal("Fri 1 Aug 15:00 CST", items[0].GetProperty("dueInSubscriberZone").GetProperty("text").GetString());
        Assert.False(items[1].GetProperty("overdue").GetBoolean());
        Assert.Equal("7 days, 4 hours left", items[1].GetProperty("countdown").GetString()); // due 04:01Z on 12 Aug
        Assert.Equal("Tue 12 Aug 12:01 CST", items[1].GetProperty("dueInSubscriberZone").GetProperty("text").GetString());
        Assert.Equal("2025-08-12T12:01:00+08:00", items[1].GetProperty("dueInSubscriberZone").GetProperty("local").GetString());
        var text = digest.GetProperty("text").GetString()!;
        Assert.Contains("1 deadline in the next 30 days, 1 overdue", text);
        Assert.Contains("- 7 days, 4 hours left: US-China tariff truce expires, Tue 12 Aug 12:01 CST", text);
        Assert.Contains("- OVERDUE by 3 days, 16 hours: EU reply due, due Fri 1 Aug 15:00 CST", text);
    }

    [Fact]
    public async Task Running_twice_in_one_period_sends_the_digest_once()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(Instant.FromUtc(2025, 10, 15, 12, 0));
        await t.ImportAsync(File([Deadline("truce", "2025-11-10T00:01")], [DigestSubscriber(receiver, "Europe/Stockholm", MondayEight)]));
        var monday = Instant.FromUtc(2025, 10, 20, 6, 0, 20);
        t.Clock.Reset(monday);

        var together = await Task.WhenAll(t.Get<DigestService>().RunAsync(monday), t.Get<DigestService>().RunAsync(monday));
        await RunAsync(t, monday + Duration.FromMinutes(15));
        await RunAsync(t, Instant.FromUtc(2025, 10, 26, 23, 0)); // still the same period: Sunday night

        Assert.Equal(1, together.Sum(r => r.Planned));
        Assert.Single(receiver.Requests);
        var row = Assert.Single(await t.Get<AlertLedger>().QueryAsync(null));
        Assert.Equal(LedgerStatus.Delivered, row.Status);
        Assert.Equal(MessageKind.Digest, row.Kind);
    }

    [Fact]
    public async Task After_downtime_spanning_three_periods_exactly_one_late_digest_is_sent()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(Instant.FromUtc(2025, 8, 1, 0, 0));
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01")], [DigestSubscriber(receiver, "Asia/Shanghai", new { every = "day", at = "07:30" })]));
        await RunAsync(t, Instant.FromUtc(2025, 8, 1, 23, 30)); // Sat 2 Aug 07:30 CST

        // Down from Saturday until Tuesday 10:00 CST: the digests of 3, 4 and 5 August were never planned.
        var back = Instant.FromUtc(2025, 8, 5, 2, 0);
        var first = await RunAsync(t, back);
        var second = await RunAsync(t, back + Duration.FromMinutes(15));

        Assert.Equal((1, 0), (first.Planned, second.Planned));
        var sent = Digests(receiver);
        Assert.Equal(["2025-08-02", "2025-08-05"], sent.Select(d => d.GetProperty("period").GetString()));
        Assert.True(sent[1].GetProperty("late").GetBoolean());
        // Late: counted from the moment it went out (02:00Z), not from 07:30 CST (23:30Z the day before).
        Assert.Equal("7 days, 2 hours left", sent[1].GetProperty("deadlines")[0].GetProperty("countdown").GetString());
    }

    [Fact]
    public async Task A_subscriber_added_after_this_weeks_digest_time_waits_for_the_next_one()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(Instant.FromUtc(2025, 10, 20, 9, 0)); // Monday, after 08:00 CEST
        await t.ImportAsync(File([Deadline("truce", "2025-11-10T00:01")], [DigestSubscriber(receiver, "Europe/Stockholm", MondayEight)]));

        Assert.Equal(0, (await RunAsync(t, Instant.FromUtc(2025, 10, 20, 9, 15))).Planned);
        Assert.Equal(1, (await RunAsync(t, Instant.FromUtc(2025, 10, 27, 7, 0))).Planned);
    }
}

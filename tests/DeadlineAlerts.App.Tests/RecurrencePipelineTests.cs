using System.Text.Json;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.App.Milestones;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Storage;
using DeadlineAlerts.Storage.Ledger;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Testing;
using NodaTime;
using NodaTime.Text;

namespace DeadlineAlerts.App.Tests;

/// <summary>
/// Recurring deadlines on Azurite, delivered to a loopback receiver: each occurrence at the instant RFC 5545 prescribes,
/// alerted once, the schedule's horizon extended by the tick; resolving one occurrence keeps the next.
/// </summary>
public sealed class RecurrencePipelineTests
{
    private static string File(LoopbackReceiver receiver, string due, string rule, string[] leadTimes) => JsonSerializer.Serialize(new
    {
        deadlines = new[]
        {
            new { id = "rate", title = "US tariff-rate publication", due, timeZone = "America/New_York", category = "tariff", leadTimes, recurrence = rule },
        },
        subscribers = new[]
        {
            new
            {
                id = "beijing-desk", name = "Beijing desk", timeZone = "Asia/Shanghai", categories = new[] { "tariff" },
                channels = new[] { new { type = "webhook", url = receiver.Url("bj"), secret = "whsec_" + Convert.ToBase64String(new byte[32]) } },
            },
        },
    });

    private static async Task<List<string>> TickAndDrainAsync(TestInstallation t, LoopbackReceiver r, Instant at)
    {
        var before = r.Requests.Count;
        t.Clock.Reset(at);
        await t.Get<ScanService>().TickAsync();
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(20));
        return r.Requests.Skip(before).Select(Describe).ToList();
    }

    /// <summary>"alert PT0S due 2026-01-31T14:00:00Z" / "notice: Resolved: ..." as the receiver got it.</summary>
    private static string Describe(ReceivedRequest request)
    {
        var json = JsonDocument.Parse(request.Body).RootElement;
        return json.GetProperty("type").GetString() == "deadline.notice"
            ? "notice: " + json.GetProperty("text").GetString()!.Split('\n')[0]
            : $"alert {json.GetProperty("leadTime").GetString()} due {json.GetProperty("deadline").GetProperty("due").GetString()}";
    }

    private static Instant Utc(string iso) => InstantPattern.ExtendedIso.Parse(iso).GetValueOrThrow();

    /// <summary>Ticks every <paramref name="step"/> from <paramref name="from"/> to <paramref name="to"/>, as a running host would (coarser).</summary>
    private static async Task<List<string>> RunAsync(TestInstallation t, LoopbackReceiver r, Instant from, Instant to, Duration step)
    {
        var all = new List<string>();
        for (var at = from; at <= to; at += step) all.AddRange(await TickAndDrainAsync(t, r, at));
        return all;
    }

    [Fact]
    public async Task A_monthly_rule_on_the_31st_alerts_once_per_occurrence_and_skips_the_months_without_one()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(Utc("2026-01-20T00:00:00Z"));
        await t.ImportAsync(File(receiver, "2026-01-31T09:00", "FREQ=MONTHLY;BYMONTHDAY=31", ["P1D", "PT0S"]));
        // The import plans the horizon: two occurrences (31 Jan, 31 Mar), not the whole year.
        Assert.Equal(["2026-01-31T14:00:00Z", "2026-03-31T13:00:00Z"], await ScheduledDuesAsync(t));

        // A tick every 6 hours until June (a late tick changes only the alert's "late" mark, not whether it goes).
        var sent = await RunAsync(t, receiver, Utc("2026-01-20T01:00:30Z"), Utc("2026-06-01T01:00:30Z"), Duration.FromHours(6));

        Assert.Equal(
        [
            "alert P1D due 2026-01-31T14:00:00Z", "alert PT0S due 2026-01-31T14:00:00Z",
            "alert P1D due 2026-03-31T13:00:00Z", "alert PT0S due 2026-03-31T13:00:00Z",
            "alert P1D due 2026-05-31T13:00:00Z", "alert PT0S due 2026-05-31T13:00:00Z",
        ], sent);
        // Every delivered ledger row is one alert, once; the tick extended the horizon as occurrences passed.
        var delivered = (await t.Get<AlertLedger>().QueryAsync(null)).Where(e => e.Status == LedgerStatus.Delivered).ToList();
        Assert.Equal(6, delivered.Select(e => e.MessageId).Distinct().Count());
        Assert.Contains("2026-07-31T13:00:00Z", await ScheduledDuesAsync(t));
    }

    [Fact]
    public async Task A_daily_0230_across_spring_forward_fires_at_0330_edt_that_day_and_0230_after()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(Utc("2026-03-05T00:00:00Z"));
        await t.ImportAsync(File(receiver, "2026-03-07T02:30", "FREQ=DAILY;COUNT=3", ["PT0S"]));

        var sent = await RunAsync(t, receiver, Utc("2026-03-05T00:30:30Z"), Utc("2026-03-10T00:30:30Z"), Duration.FromHours(1));

        // 02:30 EST = 07:30Z; 8 March: 02:30 does not exist, read with the offset before the gap = 03:30 EDT = 07:30Z;
        // 9 March: 02:30 EDT = 06:30Z. Each once, and nothing after COUNT=3.
        Assert.Equal(["alert PT0S due 2026-03-07T07:30:00Z", "alert PT0S due 2026-03-08T07:30:00Z", "alert PT0S due 2026-03-09T06:30:00Z"], sent);
    }

    [Fact]
    public async Task Resolving_one_occurrence_keeps_the_next()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(Utc("2026-01-20T00:00:00Z"));
        await t.ImportAsync(File(receiver, "2026-01-15T09:00", "FREQ=MONTHLY;BYMONTHDAY=15", ["P1D", "PT0S"]));

        t.Clock.Reset(Utc("2026-02-10T00:00:00Z"));
        var result = await t.Get<MilestoneService>().ResolveAsync("rate", "February's schedule published early", "alice");

        Assert.Equal(Utc("2026-02-15T14:00:00Z"), result.Change!.Occurrence);
        Assert.Equal(DeadlineStatus.Active, result.Deadline.Value.Status);
        Assert.Equal(["notice: Resolved: US tariff-rate publication (was due Sun 15 Feb 09:00 EST)"], await TickAndDrainAsync(t, receiver, Utc("2026-02-10T00:00:30Z")));
        // February's unsent alerts are cancelled in the ledger; March's and April's go, once each.
        var cancelled = (await t.Get<AlertLedger>().QueryAsync(null)).Where(e => e.Status == LedgerStatus.Cancelled).Select(e => $"{e.LeadTime} {TimeText.Iso(e.DueAt)}");
        Assert.Equal(["P1D 2026-02-15T14:00:00Z", "PT0S 2026-02-15T14:00:00Z"], cancelled.Order());

        var sent = await RunAsync(t, receiver, Utc("2026-02-10T01:00:30Z"), Utc("2026-04-16T01:00:30Z"), Duration.FromHours(6));
        Assert.Equal(
        [
            "alert P1D due 2026-03-15T13:00:00Z", "alert PT0S due 2026-03-15T13:00:00Z",
            "alert P1D due 2026-04-15T13:00:00Z", "alert PT0S due 2026-04-15T13:00:00Z",
        ], sent);

        // The record lists where it stands: its next occurrence after April's.
        var listed = RecordJson.Deadline((await t.Get<RecordStore>().GetDeadlineAsync("rate"))!.Value, t.Clock.GetCurrentInstant());
        Assert.Equal("2026-05-15T09:00:00", listed["nextOccurrence"]!["due"]!.GetValue<string>());

        // Resolving the series stops them all.
        await t.Get<MilestoneService>().ResolveAsync("rate", null, "alice", series: true);
        Assert.Equal(["notice: Resolved: US tariff-rate publication (was due Thu 15 Jan 09:00 EST)"],
            await TickAndDrainAsync(t, receiver, Utc("2026-04-16T01:01:30Z")));
        Assert.Empty(await RunAsync(t, receiver, Utc("2026-05-14T12:00:30Z"), Utc("2026-05-15T14:00:30Z"), Duration.FromHours(1)));
    }

    [Fact]
    public async Task The_samples_recurring_trade_deadline_alerts_once_per_occurrence()
    {
        // The recurring deadline of samples/trade-deadlines.json (the file demo.sh imports), followed by a loopback desk.
        var sample = System.Text.Json.Nodes.JsonNode.Parse(await System.IO.File.ReadAllTextAsync(
            Path.Combine(AppContext.BaseDirectory, "../../../../../samples/trade-deadlines.json")))!;
        var recurring = sample["deadlines"]!.AsArray().Single(d => d!["recurrence"] is not null)!.DeepClone();
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(Utc("2025-07-29T05:00:00Z"));
        var file = System.Text.Json.Nodes.JsonNode.Parse(File(receiver, "2025-08-15T09:00", "FREQ=DAILY", ["PT0S"]))!;
        file["deadlines"] = new System.Text.Json.Nodes.JsonArray(recurring);
        await t.ImportAsync(file.ToJsonString());

        var sent = await RunAsync(t, receiver, Utc("2025-07-29T07:00:30Z"), Utc("2025-10-16T01:00:30Z"), Duration.FromHours(6));

        Assert.Equal(
        [
            "alert P1D due 2025-08-15T13:00:00Z", "alert PT0S due 2025-08-15T13:00:00Z",
            "alert P1D due 2025-09-15T13:00:00Z", "alert PT0S due 2025-09-15T13:00:00Z",
            "alert P1D due 2025-10-15T13:00:00Z", "alert PT0S due 2025-10-15T13:00:00Z",
        ], sent);
    }

    [Fact]
    public async Task An_alert_of_a_recurring_deadline_says_it_repeats_and_when_the_next_occurrence_is()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(Utc("2026-01-20T00:00:00Z"));
        await t.ImportAsync(File(receiver, "2026-01-31T09:00", "FREQ=MONTHLY;BYMONTHDAY=31", ["PT0S"]));

        t.Clock.Reset(Utc("2026-01-31T14:00:30Z"));
        await t.Get<ScanService>().TickAsync();
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(20));

        var text = JsonDocument.Parse(Assert.Single(receiver.Requests).Body).RootElement.GetProperty("text").GetString()!;
        Assert.Equal(
            "Due now: US tariff-rate publication, Sat 31 Jan 09:00 EST\n" +
            "Due: Sat 31 Jan 2026 09:00 EST (America/New_York)\n" +
            "Your time: Sat 31 Jan 2026 22:00 CST (Asia/Shanghai)\n" +
            "Repeats monthly (FREQ=MONTHLY;BYMONTHDAY=31)\n" +
            "Next occurrence: Tue 31 Mar 09:00 EDT", text);
    }

    private static async Task<List<string>> ScheduledDuesAsync(TestInstallation t)
    {
        var clients = t.Get<StorageClients>();
        var dues = new List<string>();
        await foreach (var e in clients.Table(clients.Names.Schedule).QueryAsync<Azure.Data.Tables.TableEntity>())
            if (e.GetBoolean("Horizon") != true) dues.Add(e.GetString("DueAt"));
        return dues.Distinct().Order().ToList();
    }
}

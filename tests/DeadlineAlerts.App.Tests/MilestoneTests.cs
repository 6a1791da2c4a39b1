using System.Text.Json;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.App.Milestones;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Ledger;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Testing;
using NodaTime;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.App.Tests;

/// <summary>Extend, move earlier, resolve and cancel on Azurite, delivered to real loopback receivers.</summary>
public sealed class MilestoneTests
{
    private const string Truce = "us-china-tariff-truce";
    private static readonly Instant July29 = Instant.FromUtc(2025, 7, 29, 8, 0);
    private static readonly Instant Aug6 = Instant.FromUtc(2025, 8, 6, 12, 0);

    /// <summary>The truce (12 Aug 2025 00:01 New York) and a Beijing desk with two webhook channels.</summary>
    private static string TruceFile(LoopbackReceiver receiver) => JsonSerializer.Serialize(new
    {
        deadlines = new[] { Deadline(Truce, "2025-08-12T00:01", title: "US-China tariff truce expires") },
        subscribers = new[]
        {
            new
            {
                id = "beijing-desk", name = "Beijing desk", timeZone = "Asia/Shanghai", categories = new[] { "tariff" },
                channels = new[]
                {
                    new { type = "webhook", url = receiver.Url("one"), secret = "whsec_" + Convert.ToBase64String(new byte[32]) },
                    new { type = "webhook", url = receiver.Url("two"), secret = "whsec_" + Convert.ToBase64String(new byte[32]) },
                },
            },
        },
    });

    private static async Task<List<ReceivedRequest>> TickAndDrainAsync(TestInstallation t, LoopbackReceiver r, Instant at)
    {
        var before = r.Requests.Count;
        t.Clock.Reset(at);
        await t.Get<ScanService>().TickAsync();
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(20));
        return r.Requests.Skip(before).ToList();
    }

    private static async Task<List<ReceivedRequest>> DrainAsync(TestInstallation t, LoopbackReceiver r)
    {
        var before = r.Requests.Count;
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(20));
        return r.Requests.Skip(before).ToList();
    }

    private static JsonElement Json(ReceivedRequest request) => JsonDocument.Parse(request.Body).RootElement;

    [Fact]
    public async Task Extension_rearms_lead_alerts_and_notifies_once()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(TruceFile(receiver));
        Assert.Equal(2, (await TickAndDrainAsync(t, receiver, Instant.FromUtc(2025, 8, 5, 4, 1, 30))).Count); // P7D, both channels
        var milestones = t.Get<MilestoneService>();

        t.Clock.Reset(Aug6);
        var result = await milestones.ExtendAsync(Truce, "2025-11-10T00:01", null, "90-day extension agreed in Stockholm", "alice");

        Assert.Equal(ChangeKind.Extended, result.Change!.Kind);
        Assert.Equal(Instant.FromUtc(2025, 11, 10, 5, 1), result.Deadline.Value.Due.Instant); // 00:01 EST
        var notices = await DrainAsync(t, receiver);
        Assert.Equal(["/one", "/two"], notices.Select(n => n.Path).Order());
        Assert.Single(notices.Select(n => n.Headers["webhook-id"]).Distinct());
        foreach (var n in notices)
        {
            var json = Json(n);
            Assert.Equal("deadline.notice", json.GetProperty("type").GetString());
            var text = json.GetProperty("text").GetString()!;
            Assert.StartsWith("Extended by 90 days: US-China tariff truce expires, now Mon 10 Nov 00:01 EST (was Tue 12 Aug 00:01 EDT)", text);
            Assert.Contains("Your time: Mon 10 Nov 2025 13:01 CST (Asia/Shanghai) (was Tue 12 Aug 12:01 CST)", text);
            Assert.Contains("90-day extension agreed in Stockholm", text);
        }

        // The old instant's unsent alerts are cancelled in the ledger, never delivered.
        var ledger = await t.Get<AlertLedger>().QueryAsync(null);
        var oldDue = Instant.FromUtc(2025, 8, 12, 4, 1);
        Assert.Equal(["P1D", "P1D", "PT0S", "PT0S", "PT1H", "PT1H"],
            ledger.Where(e => e.Kind == MessageKind.Alert && e.DueAt == oldDue && e.Status == LedgerStatus.Cancelled).Select(e => e.LeadTime!).Order());
        Assert.Empty(await TickAndDrainAsync(t, receiver, Instant.FromUtc(2025, 8, 12, 6, 0)));

        // Asking again changes nothing and sends nothing.
        var again = await milestones.ExtendAsync(Truce, "2025-11-10T00:01", null, "90-day extension agreed in Stockholm", "alice");
        Assert.False(again.Changed);
        Assert.Empty(await DrainAsync(t, receiver));
        Assert.Single((await t.Get<RecordStore>().GetDeadlineAsync(Truce))!.Value.History);

        // The new lead alerts fire at the new times: P7D at 00:01 EST on 3 Nov = 05:01Z.
        var p7d = await TickAndDrainAsync(t, receiver, Instant.FromUtc(2025, 11, 3, 5, 1, 30));
        Assert.Equal(2, p7d.Count);
        Assert.All(p7d, r =>
        {
            Assert.Equal("P7D", Json(r).GetProperty("leadTime").GetString());
            Assert.Equal("7 days left", Json(r).GetProperty("countdown").GetString());
            Assert.Equal("2025-11-10T05:01:00Z", Json(r).GetProperty("deadline").GetProperty("due").GetString());
        });
        foreach (var (lead, at) in new[] { ("P1D", Instant.FromUtc(2025, 11, 9, 5, 1, 30)), ("PT1H", Instant.FromUtc(2025, 11, 10, 4, 1, 30)),
                     ("PT0S", Instant.FromUtc(2025, 11, 10, 5, 1, 30)) })
            Assert.Equal([lead, lead], (await TickAndDrainAsync(t, receiver, at)).Select(r => Json(r).GetProperty("leadTime").GetString()!));

        var entry = Assert.Single(await t.Get<AuditLog>().QueryAsync("deadline", Truce), e => e.Actor != "import"); // import audits its own "created"
        Assert.Equal(("alice", AuditAction.Extended), (entry.Actor, entry.Action));
        Assert.Contains("extended by 90 days", entry.Summary);
    }

    [Fact]
    public async Task A_notice_waits_for_the_end_of_quiet_hours_when_the_subscriber_said_not_urgent_and_goes_once()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(JsonSerializer.Serialize(new
        {
            deadlines = new[] { Deadline(Truce, "2025-08-12T00:01", title: "US-China tariff truce expires", leadTimes: ["PT0S"]) },
            subscribers = new object[]
            {
                new { id = "ny-desk", name = "New York desk", timeZone = "America/New_York", categories = new[] { "tariff" },
                      quietHours = new { from = "22:00", to = "07:00", urgent = false },
                      channels = new[] { new { type = "webhook", url = receiver.Url("ny") } } },
                new { id = "beijing-desk", name = "Beijing desk", timeZone = "Asia/Shanghai", categories = new[] { "tariff" },
                      quietHours = new { from = "10:00", to = "12:00" }, // quiet now too, but urgent by default: notices pass through
                      channels = new[] { new { type = "webhook", url = receiver.Url("bj") } } },
            },
        }));

        t.Clock.Reset(Instant.FromUtc(2025, 8, 8, 3, 0)); // 23:00 EDT in New York, 11:00 CST in Beijing
        await t.Get<MilestoneService>().ExtendAsync(Truce, "2025-11-10T00:01", null, "90-day extension", "alice");

        Assert.Equal(["/bj"], (await DrainAsync(t, receiver)).Select(r => r.Path));
        Assert.Empty(await TickAndDrainAsync(t, receiver, Instant.FromUtc(2025, 8, 8, 10, 59))); // 06:59 EDT: still quiet
        var held = await TickAndDrainAsync(t, receiver, Instant.FromUtc(2025, 8, 8, 11, 0, 30)); // 07:00 EDT
        Assert.Equal(["/ny"], held.Select(r => r.Path));
        Assert.StartsWith("Extended by 90 days:", Json(held[0]).GetProperty("text").GetString());
        Assert.Empty(await TickAndDrainAsync(t, receiver, Instant.FromUtc(2025, 8, 8, 12, 0)));
    }

    [Fact]
    public async Task Moving_earlier_says_so_and_arms_the_earlier_alerts()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(TruceFile(receiver));
        t.Clock.Reset(Aug6);

        var result = await t.Get<MilestoneService>().ExtendAsync(Truce, "2025-08-09T00:01", null, null, "alice");

        Assert.Equal(ChangeKind.MovedEarlier, result.Change!.Kind);
        var notice = (await DrainAsync(t, receiver)).First();
        Assert.StartsWith("Moved earlier by 3 days: US-China tariff truce expires, now Sat 9 Aug 00:01 EDT (was Tue 12 Aug 00:01 EDT)",
            Json(notice).GetProperty("text").GetString());
        var p1d = await TickAndDrainAsync(t, receiver, Instant.FromUtc(2025, 8, 8, 4, 1, 30));
        Assert.Equal(2, p1d.Count);
        Assert.All(p1d, r => Assert.Equal("1 day left", Json(r).GetProperty("countdown").GetString()));
    }

    [Theory]
    [InlineData(ChangeKind.Resolved, "Resolved")]
    [InlineData(ChangeKind.Cancelled, "Cancelled")]
    public async Task Resolve_and_cancel_stop_alerts_and_notify_once(string kind, string word)
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(TruceFile(receiver));
        t.Clock.Reset(Aug6);
        var milestones = t.Get<MilestoneService>();
        Task<MilestoneResult> Act() => kind == ChangeKind.Resolved
            ? milestones.ResolveAsync(Truce, "deal signed", "bob")
            : milestones.CancelAsync(Truce, "talks called off", "bob");

        var result = await Act();

        Assert.Equal(kind == ChangeKind.Resolved ? DeadlineStatus.Resolved : DeadlineStatus.Cancelled, result.Deadline.Value.Status);
        var notices = await DrainAsync(t, receiver);
        Assert.Equal(2, notices.Count);
        Assert.All(notices, n => Assert.StartsWith($"{word}: US-China tariff truce expires (was due Tue 12 Aug 00:01 EDT)", Json(n).GetProperty("text").GetString()));
        Assert.False((await Act()).Changed);
        Assert.Empty(await DrainAsync(t, receiver));
        Assert.Empty(await TickAndDrainAsync(t, receiver, Instant.FromUtc(2025, 8, 13, 0, 0)));
        // Every lead alert of the truce was still unsent (the P7D one fell due on 5 Aug, but no tick had run): 4 alerts × 2 channels.
        Assert.Equal(8, (await t.Get<AlertLedger>().QueryAsync(null)).Count(e => e.Status == LedgerStatus.Cancelled));
    }

    [Fact]
    public async Task A_notice_retried_after_a_503_is_delivered_once()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(TruceFile(receiver));
        t.Clock.Reset(Aug6);
        receiver.Answer(503);

        await t.Get<MilestoneService>().ExtendAsync(Truce, "2025-11-10T00:01", null, null, "alice");
        var requests = await DrainAsync(t, receiver);

        Assert.Equal(3, requests.Count); // one refused, then each channel once
        Assert.Single(requests.Select(r => r.Headers["webhook-id"]).Distinct());
        var rows = (await t.Get<AlertLedger>().QueryAsync(null)).Where(e => e.Kind == MessageKind.Notice).ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(LedgerStatus.Delivered, r.Status));
        Assert.Equal([1, 2], rows.Select(r => r.Attempts).Order());
        Assert.All(rows, r => Assert.Null(r.LeadTime));
    }

    [Fact]
    public async Task A_stale_etag_or_a_bad_due_time_changes_nothing()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(TruceFile(receiver));
        var milestones = t.Get<MilestoneService>();
        var read = (await t.Get<RecordStore>().GetDeadlineAsync(Truce))!;
        await milestones.ResolveAsync(Truce, null, "bob", read.ETag);

        var stale = await Assert.ThrowsAsync<MilestoneException>(() => milestones.CancelAsync(Truce, null, "alice", read.ETag));
        Assert.Equal(MilestoneFailure.Stale, stale.Failure);
        Assert.Equal(DeadlineStatus.Resolved, stale.Current!.Value.Status);

        var bad = await Assert.ThrowsAsync<MilestoneException>(() => milestones.ExtendAsync(Truce, "10 Nov 2025", null, null, "alice"));
        Assert.Equal((MilestoneFailure.BadRequest, "to", "10 Nov 2025"), (bad.Failure, bad.Field, bad.Value));
        Assert.Contains("deadline us-china-tariff-truce: to \"10 Nov 2025\" is not a local date-time such as 2025-08-12T00:01", bad.Message);

        var missing = await Assert.ThrowsAsync<MilestoneException>(() => milestones.ResolveAsync("nope", null, "bob"));
        Assert.Equal(MilestoneFailure.NotFound, missing.Failure);
        Assert.Single((await t.Get<RecordStore>().GetDeadlineAsync(Truce))!.Value.History);
    }

    [Fact]
    public async Task History_is_kept_when_the_deadline_is_imported_again()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(TruceFile(receiver));
        t.Clock.Reset(Aug6);
        await t.Get<MilestoneService>().ExtendAsync(Truce, "2025-11-10T00:01", null, "extended", "alice");
        var extended = (await t.Get<RecordStore>().GetDeadlineAsync(Truce))!.Value;

        // The export (RecordJson, with its read-only history) imports again and changes nothing...
        var exported = JsonSerializer.Serialize(new { deadlines = new[] { RecordJson.Deadline(extended) } });
        Assert.Contains("\"history\"", exported);
        var again = await t.ImportAsync(exported);
        Assert.Equal([$"deadline {Truce}"], again.Unchanged);

        // ...and a file that edits the title keeps the history it does not carry.
        await t.ImportAsync(File([Deadline(Truce, "2025-11-10T00:01", title: "Truce (extended)")], []));
        var stored = (await t.Get<RecordStore>().GetDeadlineAsync(Truce))!.Value;
        Assert.Equal("Truce (extended)", stored.Title);
        var h = Assert.Single(stored.History);
        Assert.Equal((ChangeKind.Extended, "alice", "extended"), (h.Kind, h.By, h.Reason));
        Assert.Equal(("2025-08-12T00:01:00", "America/New_York"), (h.OldDue.LocalText, h.OldDue.Zone.Id));
    }
}

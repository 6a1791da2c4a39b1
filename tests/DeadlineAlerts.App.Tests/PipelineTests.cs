using System.Text.Json;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Storage;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Ledger;
using DeadlineAlerts.Storage.Queue;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Testing;
using NodaTime;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.App.Tests;

/// <summary>The whole path on Azurite: import → tick → queue → delivery to a real loopback receiver → ledger.</summary>
public sealed class PipelineTests
{
    private static readonly Instant July29 = Instant.FromUtc(2025, 7, 29, 8, 0);

    private static string TruceFile(LoopbackReceiver receiver, params string[] leadTimes) => File(
        [Deadline("us-china-tariff-truce", "2025-08-12T00:01", leadTimes: leadTimes.Length > 0 ? leadTimes : null)],
        [Subscriber("beijing-desk", receiver.Url("beijing"))]);

    private static async Task<List<LedgerStatus>> TickAndDrainAsync(TestInstallation t, Instant at)
    {
        t.Clock.Reset(at);
        await t.Get<ScanService>().TickAsync();
        var lines = await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(20));
        return lines.Select(l => l.Status).ToList();
    }

    private static List<string> AlertIds(LoopbackReceiver r) => r.Requests.Select(q => q.Headers["webhook-id"]).ToList();

    [Fact]
    public async Task Each_alert_reaches_the_receiver_once_at_its_fire_time_with_both_zones()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(TruceFile(receiver));

        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 5, 4, 1, 30)); // P7D fired at 04:01Z
        var request = Assert.Single(receiver.Requests);
        using var payload = JsonDocument.Parse(request.Body);
        var root = payload.RootElement;
        Assert.Equal("P7D", root.GetProperty("leadTime").GetString());
        Assert.Equal("7 days left", root.GetProperty("countdown").GetString());
        Assert.False(root.GetProperty("late").GetBoolean());
        Assert.Equal("2025-08-12T04:01:00Z", root.GetProperty("deadline").GetProperty("due").GetString());
        Assert.Equal("2025-08-12T00:01:00-04:00", root.GetProperty("deadline").GetProperty("dueInDeadlineZone").GetProperty("local").GetString());
        Assert.Equal("2025-08-12T12:01:00+08:00", root.GetProperty("deadline").GetProperty("dueInSubscriberZone").GetProperty("local").GetString());
        Assert.Equal(request.Headers["webhook-id"], request.Headers["idempotency-key"]);

        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 5, 4, 2, 30));
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task Reimporting_the_same_file_changes_nothing_and_sends_nothing_extra()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        var file = TruceFile(receiver);
        var first = await t.ImportAsync(file);
        var armedAt = (await t.Get<RecordStore>().GetDeadlineAsync("us-china-tariff-truce"))!.Value.ArmedAt;
        t.Clock.Advance(Duration.FromDays(1));
        var second = await t.ImportAsync(file);

        // Not re-armed: a re-armed deadline would drop alerts that fired in the day between the imports.
        Assert.Equal(armedAt, (await t.Get<RecordStore>().GetDeadlineAsync("us-china-tariff-truce"))!.Value.ArmedAt);

        Assert.Equal(2, first.Added.Count);
        Assert.Empty(second.Added);
        Assert.Empty(second.Updated);
        Assert.Equal(2, second.Unchanged.Count);

        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 5, 4, 1, 10));
        await t.ImportAsync(file);
        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 5, 4, 2, 10));
        Assert.Contains("\"leadTime\":\"P7D\"", Assert.Single(receiver.Requests).Body);
    }

    [Fact]
    public async Task Two_overlapping_ticks_send_each_alert_exactly_once()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(File(
            [Deadline("a", "2025-08-12T00:01"), Deadline("b", "2025-08-12T00:01", zone: "Europe/Stockholm")],
            [Subscriber("s1", receiver.Url("s1")), Subscriber("s2", receiver.Url("s2"), zone: "Asia/Kathmandu")]));

        t.Clock.Reset(Instant.FromUtc(2025, 8, 11, 22, 1, 5)); // P1D of b (Stockholm) fired at 22:01Z
        var scan = t.Get<ScanService>();
        await Task.WhenAll(scan.TickAsync(), scan.TickAsync(), scan.TickAsync());
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(20));

        var ids = AlertIds(receiver);
        var delivered = (await t.Get<AlertLedger>().QueryAsync(null)).Where(e => e.Status == LedgerStatus.Delivered).ToList();
        Assert.NotEmpty(ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(delivered.Select(e => e.MessageId.Value).Order(), ids.Order());
    }

    [Fact]
    public async Task A_tick_that_crashed_before_queueing_is_repeated_and_delivers_exactly_once()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(TruceFile(receiver));
        t.Clock.Reset(Instant.FromUtc(2025, 8, 5, 4, 1, 5));

        // A real fault: the queue is gone, so the tick fails after writing the ledger and before queueing.
        var queue = t.Get<AlertQueue>().Queue;
        await queue.DeleteAsync();
        await Assert.ThrowsAnyAsync<Azure.RequestFailedException>(() => t.Get<ScanService>().TickAsync());
        var planned = await t.Get<AlertLedger>().QueryAsync(null);
        Assert.Equal(LedgerStatus.Planned, Assert.Single(planned).Status);

        await queue.CreateAsync();
        var statuses = await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 5, 4, 1, 40));
        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 5, 4, 2, 40));

        Assert.Equal([LedgerStatus.Delivered], statuses);
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task A_duplicated_queue_message_does_not_send_twice()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(TruceFile(receiver));
        t.Clock.Reset(Instant.FromUtc(2025, 8, 5, 4, 1, 5));
        await t.Get<ScanService>().TickAsync();
        var entry = Assert.Single(await t.Get<AlertLedger>().QueryAsync(null));
        await t.Get<AlertQueue>().EnqueueAsync([new DeliveryRef(entry.PartitionKey, entry.RowKey)]);

        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(20));
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task A_deadline_added_three_days_ahead_sends_no_stale_early_alerts()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(Instant.FromUtc(2025, 8, 9, 4, 1));
        await t.ImportAsync(File([Deadline("late-add", "2025-08-12T00:01", leadTimes: ["P30D", "P7D", "P1D"])],
            [Subscriber("s", receiver.Url())]));

        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 11, 4, 1, 5));
        var request = Assert.Single(receiver.Requests);
        Assert.Contains("\"leadTime\":\"P1D\"", request.Body);
        Assert.DoesNotContain(await t.Get<AlertLedger>().QueryAsync(null), e => e.LeadTime != "P1D");
    }

    [Fact]
    public async Task After_downtime_lead_alerts_go_out_marked_late_while_the_deadline_is_ahead_and_are_skipped_after_it()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(File(
            [Deadline("ahead", "2025-08-12T00:01", leadTimes: ["P7D"]), Deadline("passed", "2025-08-06T00:01", leadTimes: ["P1D", "PT0S"])],
            [Subscriber("s", receiver.Url())]));

        // Down from 29 July until 7 August: "ahead" P7D (5 Aug) is late with its deadline ahead;
        // "passed" P1D (5 Aug) is late and its deadline has passed; its PT0S (6 Aug) is sent, late.
        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 7, 0, 0));
        var ledger = await t.Get<AlertLedger>().QueryAsync(null);
        Assert.Equal(LedgerStatus.Delivered, ledger.Single(e => e.DeadlineId == "ahead").Status);
        Assert.True(ledger.Single(e => e.DeadlineId == "ahead").Late);
        Assert.Equal(LedgerStatus.Skipped, ledger.Single(e => e.DeadlineId == "passed" && e.LeadTime == "P1D").Status);
        var dueNow = ledger.Single(e => e.DeadlineId == "passed" && e.LeadTime == "PT0S");
        Assert.Equal(LedgerStatus.Delivered, dueNow.Status);
        Assert.True(dueNow.Late);
        var dueNowBody = receiver.Requests.Single(r => r.Body.Contains("\"leadTime\":\"PT0S\"")).Body;
        Assert.Contains("\"countdown\":\"19 hours, 59 minutes late\"", dueNowBody);
        Assert.Equal(2, receiver.Requests.Count);
    }

    [Fact]
    public async Task A_receiver_that_is_down_for_a_while_gets_the_alert_once_when_it_returns()
    {
        using var receiver = new LoopbackReceiver().Answer(503, times: 2).Answer(500);
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(TruceFile(receiver, "P7D"));

        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 5, 4, 1, 5));
        var entry = Assert.Single(await t.Get<AlertLedger>().QueryAsync(null));
        Assert.Equal(LedgerStatus.Delivered, entry.Status);
        Assert.Equal(4, entry.Attempts);
        Assert.Equal(4, receiver.Requests.Count);
        Assert.Single(receiver.Requests.Select(r => r.Headers["webhook-id"]).Distinct());
    }

    [Fact]
    public async Task A_receiver_that_never_recovers_is_failed_with_the_last_reason_and_poisoned()
    {
        using var receiver = new LoopbackReceiver().Answer(503, times: 10);
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(TruceFile(receiver, "P7D"));

        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 5, 4, 1, 5));
        var entry = Assert.Single(await t.Get<AlertLedger>().QueryAsync(null));
        Assert.Equal(LedgerStatus.Failed, entry.Status);
        Assert.Contains("503", entry.LastError);
        Assert.Equal(4, receiver.Requests.Count);
        var poisoned = await t.Get<AlertQueue>().Poison.PeekMessagesAsync(10);
        Assert.Single(poisoned.Value);
    }

    [Fact]
    public async Task A_permanent_refusal_is_failed_at_once_without_retry()
    {
        using var receiver = new LoopbackReceiver().Answer(404, times: 10);
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(TruceFile(receiver, "P7D"));

        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 5, 4, 1, 5));
        var entry = Assert.Single(await t.Get<AlertLedger>().QueryAsync(null));
        Assert.Equal(LedgerStatus.Failed, entry.Status);
        Assert.Equal(1, entry.Attempts);
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task A_slack_channel_that_is_archived_is_failed_once_marked_broken_audited_and_skipped_afterwards()
    {
        using var receiver = new LoopbackReceiver().Answer(410, "channel_is_archived", times: 10);
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(File([Deadline("us-china-tariff-truce", "2025-08-12T00:01", leadTimes: ["P7D", "P1D"])],
            [new { id = "stockholm-channel", name = "Stockholm channel", categories = new[] { "tariff" },
                   channels = new[] { new { type = "slack", url = receiver.Url("services/T000/B000/SECRETTOKEN") } } }]));

        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 5, 4, 1, 5));
        var failed = Assert.Single(await t.Get<AlertLedger>().QueryAsync(null));
        Assert.Equal(LedgerStatus.Failed, failed.Status);
        Assert.Equal("Slack answered HTTP 410 channel_is_archived", failed.LastError);

        var channel = Assert.Single((await t.Get<RecordStore>().GetSubscriberAsync("stockholm-channel"))!.Value.Channels);
        Assert.Equal("Slack answered HTTP 410 channel_is_archived", channel.BrokenReason);
        var audit = Assert.Single(await t.Get<AuditLog>().QueryAsync("subscriber", "stockholm-channel"), e => e.Action == AuditAction.ChannelBroken);
        Assert.Equal("delivery", audit.Actor);
        Assert.DoesNotContain("SECRETTOKEN", audit.Summary + audit.Before + audit.After);

        // The next alert is not sent to a channel its owner must fix first: it is recorded as skipped.
        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 11, 4, 1, 5));
        Assert.Single(receiver.Requests);
        var skipped = Assert.Single(await t.Get<AlertLedger>().QueryAsync(null), e => e.LeadTime == "P1D");
        Assert.Equal(LedgerStatus.Skipped, skipped.Status);
        Assert.Contains("channel is marked broken", skipped.LastError);
    }

    [Fact]
    public async Task A_tick_reads_only_its_window_not_every_deadline()
    {
        using var receiver = new LoopbackReceiver();
        await using var small = await TestInstallation.CreateAsync(July29);
        await using var large = await TestInstallation.CreateAsync(July29);
        var soon = Deadline("soon", "2025-07-29T05:00", leadTimes: ["PT0S"]);
        await small.ImportAsync(File([soon], [Subscriber("s", receiver.Url())]));
        var many = Enumerable.Range(0, 300).Select(i => Deadline($"far-{i}", "2026-06-01T09:00")).Append(soon).ToArray();
        await large.ImportAsync(File(many, [Subscriber("s", receiver.Url())]));

        async Task<long> TickCost(TestInstallation t)
        {
            t.Clock.Reset(Instant.FromUtc(2025, 7, 29, 9, 0, 30));
            var clients = t.Get<StorageClients>();
            var before = clients.Requests.Count;
            var result = await t.Get<ScanService>().TickAsync();
            Assert.Equal(1, result.Planned);
            return clients.Requests.Count - before;
        }

        Assert.Equal(await TickCost(small), await TickCost(large));
    }

    [Fact]
    public async Task A_deadline_many_follow_spreads_its_records_and_schedule_over_the_shards_and_every_follower_is_told_once()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29, new Dictionary<string, string?> { ["DeadlineAlerts:Delivery:PerHostPerSecond"] = "100000" });
        var followers = Enumerable.Range(0, 200).Select(i => Subscriber($"desk-{i}", receiver.Url($"desk-{i}"))).ToArray();
        await t.ImportAsync(File([Deadline("us-china-tariff-truce", "2025-07-29T09:00", leadTimes: ["PT0S"])], followers));

        var clients = t.Get<StorageClients>();
        async Task<HashSet<string>> PartitionsOf(string table)
        {
            var keys = new HashSet<string>();
            await foreach (var e in clients.Table(table).QueryAsync<Azure.Data.Tables.TableEntity>(select: ["PartitionKey"])) keys.Add(e.PartitionKey);
            return keys;
        }
        var subscriberPartitions = await PartitionsOf(clients.Names.Subscribers);
        var schedulePartitions = await PartitionsOf(clients.Names.Schedule);
        Assert.Equal(KeyShards.Count, subscriberPartitions.Count); // 200 ids over 32 shards: each shard holds some
        Assert.All(subscriberPartitions, p => Assert.Matches("^subscriber-[0-9a-f]{2}$", p));
        Assert.Equal(KeyShards.Count, schedulePartitions.Count); // one fire day, 32 partitions, not one
        Assert.All(schedulePartitions, p => Assert.Matches("^20250729-[0-9a-f]{2}$", p));
        Assert.Equal(200, (await t.Get<RecordStore>().ListSubscribersAsync()).Count);
        Assert.Equal("desk-7", (await t.Get<RecordStore>().GetSubscriberAsync("desk-7"))!.Value.Id.Value);

        await TickAndDrainAsync(t, Instant.FromUtc(2025, 7, 29, 13, 0, 30));
        var told = receiver.Requests.Select(r => r.Path).ToList();
        Assert.Equal(200, told.Count);
        Assert.Equal(followers.Select((_, i) => $"/desk-{i}").Order(), told.Order());
        Assert.Empty(await t.Get<UnfinishedIndex>().DueAsync(null)); // nothing left unfinished
    }

    [Fact]
    public async Task Preview_lists_what_would_fire_without_sending()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(TruceFile(receiver));

        var due = await t.Get<ScanService>().DueAsync(July29, Instant.FromUtc(2025, 8, 13, 0, 0));
        Assert.Equal(["P7D", "P1D", "PT1H", "PT0S"], due.Select(d => d.Alert.LeadTime.Text));
        Assert.Empty(receiver.Requests);
        Assert.Empty(await t.Get<AlertLedger>().QueryAsync(null));
    }
}

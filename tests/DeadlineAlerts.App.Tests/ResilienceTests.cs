using System.Diagnostics;
using System.Text.Json;
using Azure.Data.Tables;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.Deliver;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Storage;
using DeadlineAlerts.Storage.Ledger;
using DeadlineAlerts.Storage.Queue;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.App.Tests;

/// <summary>
/// "Once, on time, never twice, never not at all" off the happy path: a lost queue message, a worker that vanished
/// mid-send, unreadable stored rows, a long outage. Real Azurite, real loopback receivers.
/// </summary>
public sealed class ResilienceTests
{
    private static readonly Instant July29 = Instant.FromUtc(2025, 7, 29, 8, 0);

    private static List<string> Ids(LoopbackReceiver r) => r.Requests.Select(q => q.Headers["webhook-id"]).ToList();

    private static async Task<List<LedgerEntry>> LedgerAsync(TestInstallation t) => await t.Get<AlertLedger>().QueryAsync(null);

    private static async Task<int> UnfinishedAsync(TestInstallation t)
    {
        var clients = t.Get<StorageClients>();
        var n = 0;
        await foreach (var _ in clients.Table(clients.Names.Unfinished).QueryAsync<TableEntity>()) n++;
        return n;
    }

    [Fact]
    public async Task After_a_four_day_outage_each_subscriber_gets_one_message_per_deadline_and_the_rest_are_superseded()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        var subscribers = Enumerable.Range(1, 5).Select(i => Subscriber($"desk-{i}", receiver.Url($"desk-{i}"))).ToArray();
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01", leadTimes: ["P7D", "P5D", "P3D", "P2D", "P1D", "PT0S"])], subscribers));

        t.Clock.Reset(Instant.FromUtc(2025, 8, 4, 0, 0)); // before any fires
        await t.Get<ScanService>().TickAsync();
        t.Clock.Reset(Instant.FromUtc(2025, 8, 10, 12, 0)); // P7D, P5D, P3D and P2D fired while nothing ran; P1D is still ahead
        var tick = await t.Get<ScanService>().TickAsync();
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(5, receiver.Requests.Count);
        Assert.All(receiver.Requests, r =>
        {
            using var body = JsonDocument.Parse(r.Body);
            Assert.Equal("P2D", body.RootElement.GetProperty("leadTime").GetString());
            Assert.True(body.RootElement.GetProperty("late").GetBoolean());
            Assert.Equal("1 day, 16 hours left", body.RootElement.GetProperty("countdown").GetString()); // measured when sent
        });
        var ledger = await LedgerAsync(t);
        Assert.Equal(15, tick.Superseded);
        Assert.Equal(["P3D", "P5D", "P7D"], ledger.Where(e => e.Status == LedgerStatus.Superseded).Select(e => e.LeadTime!).Distinct().Order());
        Assert.All(ledger.Where(e => e.Status == LedgerStatus.Superseded), e => Assert.Contains("P2D alert of the same deadline was sent instead", e.LastError));
        Assert.Equal(0, await UnfinishedAsync(t));
    }

    [Fact]
    public async Task A_due_now_alert_long_after_the_deadline_is_recorded_stale_and_not_sent()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01", leadTimes: ["PT0S"])], [Subscriber("desk", receiver.Url())]));

        t.Clock.Reset(Instant.FromUtc(2026, 1, 14, 0, 0)); // five months late
        await t.Get<ScanService>().TickAsync();
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(10));

        Assert.Empty(receiver.Requests);
        var row = Assert.Single(await LedgerAsync(t));
        Assert.Equal(LedgerStatus.Skipped, row.Status);
        Assert.StartsWith("stale: the deadline passed 154 days, 19 hours before the alert could be planned", row.LastError);
    }

    [Fact]
    public async Task A_planned_row_whose_queue_message_was_lost_is_queued_again_by_the_sweep_and_sent_once()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01", leadTimes: ["P7D"])], [Subscriber("desk", receiver.Url())]));
        t.Clock.Reset(Instant.FromUtc(2025, 8, 5, 4, 1, 30));
        await t.Get<ScanService>().TickAsync();
        await t.Get<AlertQueue>().Queue.ClearMessagesAsync(); // the message is lost; the ledger says planned

        t.Clock.Advance(Duration.FromSeconds(30)); // the next tick: the row is still within its grace, nothing is re-queued yet
        Assert.Equal(0, (await t.Get<ScanService>().TickAsync()).Requeued);
        t.Clock.Advance(Duration.FromMinutes(3)); // a tick after the grace (the send lease, 2 min) finds it
        Assert.Equal(1, (await t.Get<ScanService>().TickAsync()).Requeued);
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(10));

        Assert.Single(receiver.Requests);
        Assert.Equal(LedgerStatus.Delivered, Assert.Single(await LedgerAsync(t)).Status);
        Assert.Equal(0, await UnfinishedAsync(t));
    }

    [Fact]
    public async Task The_unfinished_index_holds_one_entry_per_message_until_every_row_of_it_is_final()
    {
        using var receiver = new LoopbackReceiver();
        receiver.Answer(503); // the first post is refused for now: its row goes retrying, the other is delivered
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(File(
            [Deadline("truce", "2025-08-12T00:01", leadTimes: ["P7D"]), Deadline("talks", "2025-08-12T00:01", leadTimes: ["P7D"])],
            [Subscriber("desk", receiver.Url())]));
        t.Clock.Reset(Instant.FromUtc(2025, 8, 5, 4, 1, 30));
        await t.Get<ScanService>().TickAsync();
        Assert.Equal(1, await UnfinishedAsync(t)); // two rows of one partition, one message, one entry

        await t.Get<LocalQueueRunner>().DrainVisibleAsync();
        Assert.Equal([LedgerStatus.Delivered, LedgerStatus.Retrying], (await LedgerAsync(t)).Select(e => e.Status).OrderBy(s => s.Wire()));
        Assert.Equal(1, await UnfinishedAsync(t)); // a row is still open: the entry stays

        t.Clock.Advance(Duration.FromMinutes(5)); // past the retry and its grace: the sweep queues it, it is delivered
        await t.Get<ScanService>().TickAsync();
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([LedgerStatus.Delivered, LedgerStatus.Delivered], (await LedgerAsync(t)).Select(e => e.Status));
        Assert.Equal(2, Ids(receiver).Distinct().Count());
        Assert.Equal(3, receiver.Requests.Count); // the refused post, its retry and the other alert
        Assert.Equal(0, await UnfinishedAsync(t));
    }

    [Fact]
    public async Task An_index_entry_written_per_row_by_an_earlier_version_is_still_swept_and_its_row_sent()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01", leadTimes: ["P7D"])], [Subscriber("desk", receiver.Url())]));
        t.Clock.Reset(Instant.FromUtc(2025, 8, 5, 4, 1, 30));
        await t.Get<ScanService>().TickAsync();
        await t.Get<AlertQueue>().Queue.ClearMessagesAsync(); // the message is lost
        // Replace the entry by the per-row form an earlier version wrote: keyed like the row, no Rows column.
        var clients = t.Get<StorageClients>();
        var index = clients.Table(clients.Names.Unfinished);
        await foreach (var e in index.QueryAsync<TableEntity>()) await index.DeleteEntityAsync(e.PartitionKey, e.RowKey);
        var row = Assert.Single(await LedgerAsync(t));
        await index.AddEntityAsync(new TableEntity(row.PartitionKey, row.RowKey)
        {
            ["CheckAt"] = t.Clock.GetCurrentInstant().ToDateTimeOffset(),
            ["Requeues"] = 0,
        });

        t.Clock.Advance(Duration.FromMinutes(3));
        Assert.Equal(1, (await t.Get<ScanService>().TickAsync()).Requeued);
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([row.MessageId.Value], Ids(receiver));
        Assert.Equal(0, await UnfinishedAsync(t));
    }

    [Fact]
    public async Task A_claim_whose_worker_vanished_is_sent_after_its_lease_with_the_same_idempotency_key()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01", leadTimes: ["P7D"])], [Subscriber("desk", receiver.Url())]));
        t.Clock.Reset(Instant.FromUtc(2025, 8, 5, 4, 1, 30));
        await t.Get<ScanService>().TickAsync();
        // A worker receives the message, claims the row and dies: the message is gone with it, the row says sending.
        var message = Assert.Single((await t.Get<AlertQueue>().Queue.ReceiveMessagesAsync(1)).Value);
        var claimed = await t.Get<ClaimStage>().RunAsync(DeliveryMessage.Parse(message.Body.ToString()), CancellationToken.None);
        Assert.Equal(LedgerStatus.Sending, Assert.Single(claimed).Status);
        await t.Get<AlertQueue>().Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);

        t.Clock.Advance(Duration.FromMinutes(1)); // lease still running: nobody else sends it
        await t.Get<ScanService>().TickAsync();
        await t.Get<LocalQueueRunner>().DrainVisibleAsync();
        Assert.Empty(receiver.Requests);

        t.Clock.Advance(Duration.FromMinutes(2)); // lease over: the sweep queues it again
        await t.Get<ScanService>().TickAsync();
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(10));

        var row = Assert.Single(await LedgerAsync(t));
        Assert.Equal([row.MessageId.Value], Ids(receiver));
        Assert.Equal((LedgerStatus.Delivered, 2), (row.Status, row.Attempts)); // the vanished worker's attempt counts
        Assert.Equal(0, await UnfinishedAsync(t));
    }

    [Fact]
    public async Task Unreadable_stored_rows_are_set_aside_named_and_failed_while_every_other_alert_goes_out()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(File(
            [Deadline("good", "2025-08-12T00:01", leadTimes: ["P7D"]), Deadline("bad-due", "2025-08-12T00:01", leadTimes: ["P7D"]),
             Deadline("bad-leads", "2025-08-12T00:01", leadTimes: ["P7D"]), Deadline("mars", "2025-08-12T00:01", leadTimes: ["P7D"])],
            [Subscriber("desk", receiver.Url("desk")), Subscriber("bad-channels", receiver.Url("bad"))]));
        var clients = t.Get<StorageClients>();
        var deadlines = clients.Table(clients.Names.Deadlines);
        async Task Corrupt(TableClient table, string pk, string id, string field, string value)
        {
            var e = (await table.GetEntityAsync<TableEntity>(pk, id)).Value;
            e[field] = value;
            await table.UpdateEntityAsync(e, e.ETag, TableUpdateMode.Replace);
        }
        await Corrupt(deadlines, RecordStore.DeadlinePartition("bad-due"), "bad-due", "DueLocal", "next tuesday");
        await Corrupt(deadlines, RecordStore.DeadlinePartition("bad-leads"), "bad-leads", "LeadTimes", "P1D banana");
        await Corrupt(deadlines, RecordStore.DeadlinePartition("mars"), "mars", "TimeZone", "Mars/Olympus");
        await Corrupt(clients.Table(clients.Names.Subscribers), RecordStore.SubscriberPartition("bad-channels"), "bad-channels", "Channels", "{not json");

        t.Clock.Reset(Instant.FromUtc(2025, 8, 5, 4, 1, 30));
        var tick = await t.Get<ScanService>().TickAsync();
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(10));

        // The one healthy pair arrives, once.
        var request = Assert.Single(receiver.Requests);
        Assert.Equal("/desk", request.Path);
        Assert.Contains("\"id\":\"good\"", request.Body);
        Assert.Equal(["deadline bad-due DueLocal", "deadline bad-leads LeadTimes", "deadline mars TimeZone", "subscriber bad-channels Channels"],
            tick.Unreadable.Select(u => $"{u.RecordKind} {u.Id} {u.Field}").Order());
        Assert.Contains("\"Mars/Olympus\" is not a time zone id", tick.Unreadable.Single(u => u.Id == "mars").Problem);
        var failed = (await LedgerAsync(t)).Where(e => e.Status == LedgerStatus.Failed).ToList();
        Assert.Equal(7, failed.Count); // 3 bad deadlines × desk, 4 deadlines × bad-channels (channels unknown: one row each)
        Assert.All(failed.Where(e => e.DeadlineId == "bad-due"), e => Assert.Contains("deadline bad-due: DueLocal \"next tuesday\"", e.LastError));
        Assert.All(failed.Where(e => e.SubscriberId == "bad-channels"), e => Assert.Equal("-", e.ChannelId));

        async Task<(int Unreadable, string Status)> HealthAsync()
        {
            var health = await t.Get<ApiRouter>().HandleAsync(new ApiRequest { Method = "GET", Path = "/api/health" });
            using var body = JsonDocument.Parse(health.Body);
            return (body.RootElement.GetProperty("unreadableRecords").GetInt32(), body.RootElement.GetProperty("status").GetString()!);
        }
        Assert.Equal((4, "degraded"), await HealthAsync());

        // Later ticks whose windows name none of them: health still counts the four records, until they are written again.
        t.Clock.Reset(Instant.FromUtc(2025, 8, 5, 4, 2, 30));
        Assert.Empty((await t.Get<ScanService>().TickAsync()).Unreadable);
        Assert.Equal((4, "degraded"), await HealthAsync());

        // One fixed by hand in the table, the others imported again: each reads again and is no longer counted.
        await Corrupt(deadlines, RecordStore.DeadlinePartition("bad-due"), "bad-due", "DueLocal", "2025-08-12T00:01:00");
        Assert.Equal((3, "degraded"), await HealthAsync());
        await t.ImportAsync(File(
            [Deadline("bad-leads", "2025-08-12T00:01", leadTimes: ["P7D"]), Deadline("mars", "2025-08-12T00:01", leadTimes: ["P7D"])],
            [Subscriber("bad-channels", receiver.Url("bad"))]));
        Assert.Equal(0, (await HealthAsync()).Unreadable);
    }

    [Fact]
    public async Task A_retry_is_never_claimed_before_its_time_even_when_its_message_comes_early()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01", leadTimes: ["P7D"])], [Subscriber("desk", receiver.Url())]));
        receiver.Answer(503, headers: new Dictionary<string, string> { ["Retry-After"] = "1" });
        t.Clock.Reset(Instant.FromUtc(2025, 8, 5, 4, 1, 30));
        await t.Get<ScanService>().TickAsync();
        await t.Get<LocalQueueRunner>().DrainVisibleAsync();
        var row = Assert.Single(await LedgerAsync(t));
        Assert.Equal(LedgerStatus.Retrying, row.Status);
        Assert.Equal(t.Clock.GetCurrentInstant() + Duration.FromSeconds(1), row.NextAttemptAt);

        // The message is handed over at once (as a queue that rounds a delay down would): the claim waits the second out.
        var watch = Stopwatch.StartNew();
        var claimed = await t.Get<ClaimStage>().RunAsync(new DeliveryMessage([new DeliveryRef(row.PartitionKey, row.RowKey, 1)]), CancellationToken.None);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.99), $"claimed after {watch.Elapsed.TotalMilliseconds} ms, before Retry-After");
        Assert.Equal(LedgerStatus.Sending, Assert.Single(claimed).Status);
    }
}

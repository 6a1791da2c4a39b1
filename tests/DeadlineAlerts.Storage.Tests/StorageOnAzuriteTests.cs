using Azure;
using Azure.Data.Tables;
using DeadlineAlerts.Core.Pipeline;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Storage.Schedule;
using DeadlineAlerts.Testing;
using NodaTime;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.Storage.Tests;

/// <summary>The storage pieces on their own, on Azurite: records across shards, the schedule window, batches and the checkpoint under concurrency.</summary>
public sealed class StorageOnAzuriteTests
{
    private static readonly Instant July29 = Instant.FromUtc(2025, 7, 29, 5, 0);

    [Fact]
    public async Task Records_are_read_back_from_every_shard_and_a_row_outside_the_shards_is_not_a_record()
    {
        await using var t = await TestInstallation.CreateAsync(July29);
        var deadlines = Enumerable.Range(0, 60).Select(i => Deadline($"d{i}", "2025-08-12T00:01")).ToArray();
        var subscribers = Enumerable.Range(0, 60).Select(i => Subscriber($"s{i}", "http://127.0.0.1:9/hook")).ToArray();
        await t.ImportAsync(File(deadlines, subscribers));
        var clients = t.Get<StorageClients>();
        // A stray row in the deadlines table but in no shard partition (the layout before shards, or a hand edit).
        await clients.Table(clients.Names.Deadlines).AddEntityAsync(new TableEntity("deadline", "stray") { ["Title"] = "not a record" });

        var store = t.Get<RecordStore>();
        Assert.Equal(Enumerable.Range(0, 60).Select(i => $"d{i}").Order(), (await store.ListDeadlinesAsync()).Select(d => d.Id.Value).Order());
        Assert.Equal(Enumerable.Range(0, 60).Select(i => $"s{i}").Order(), (await store.ListSubscribersAsync()).Select(s => s.Id.Value).Order());
        Assert.Equal("Deadline d37", (await store.GetDeadlineAsync("d37"))!.Value.Title);
        Assert.Null(await store.GetDeadlineAsync("stray"));
    }

    [Fact]
    public async Task A_replace_with_a_stale_etag_is_refused_and_the_newer_record_stays()
    {
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01")], []));
        var store = t.Get<RecordStore>();
        var read = (await store.GetDeadlineAsync("truce"))!;
        await store.ReplaceDeadlineAsync(read.Value with { Title = "first writer" }, read.ETag);

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => store.ReplaceDeadlineAsync(read.Value with { Title = "second writer" }, read.ETag));
        Assert.Equal(412, e.Status);
        Assert.Equal("first writer", (await store.GetDeadlineAsync("truce"))!.Value.Title);
    }

    [Fact]
    public async Task The_schedule_window_is_after_exclusive_up_to_inclusive_across_days_and_shards()
    {
        await using var t = await TestInstallation.CreateAsync(July29);
        var schedule = t.Get<ScheduleIndex>();
        var midnight = Instant.FromUtc(2025, 8, 12, 0, 0);
        PlannedAlert At(Instant fireAt, string subscriber) =>
            new(MessageId.ForAlert("truce", midnight, subscriber, LeadTime.Parse("PT0S")), "truce", subscriber, LeadTime.Parse("PT0S"), fireAt, midnight);
        var subscribers = Enumerable.Range(0, 40).Select(i => $"s{i}").ToList(); // over every shard
        var before = subscribers.Select(s => At(midnight - Duration.FromMinutes(1), s)).ToList(); // 11 Aug 23:59
        var onEdge = subscribers.Select(s => At(midnight, s)).ToList();                            // 12 Aug 00:00
        var after = subscribers.Select(s => At(midnight + Duration.FromMinutes(1), s)).ToList();   // 12 Aug 00:01
        await schedule.AddAsync([.. before, .. onEdge, .. after]);

        var window = await schedule.DueAsync(new TickWindow(midnight - Duration.FromMinutes(1), midnight));

        Assert.Empty(window.UnreadableRows);
        Assert.Equal(onEdge.Select(a => a.Id.Value).Order(), window.Alerts.Select(a => a.Id.Value).Order());
        var both = await schedule.DueAsync(new TickWindow(midnight - Duration.FromMinutes(2), midnight + Duration.FromMinutes(1)));
        Assert.Equal(120, both.Alerts.Count);
    }

    [Fact]
    public async Task Two_writers_adding_overlapping_rows_each_learn_exactly_which_rows_are_theirs()
    {
        await using var t = await TestInstallation.CreateAsync(July29);
        var clients = t.Get<StorageClients>();
        var table = clients.Table(clients.Names.Schedule);
        TableEntity Row(int i) => new($"p{i % 3}", $"r{i:D4}") { ["N"] = i };
        var first = Enumerable.Range(0, 300).Select(Row).ToList();
        var second = Enumerable.Range(150, 300).Select(Row).ToList(); // 150 rows in common

        var results = await Task.WhenAll(TableBatches.AddMissingAsync(table, first, default), TableBatches.AddMissingAsync(table, second, default));

        var mine = results[0].Select(e => e.RowKey).ToHashSet();
        var theirs = results[1].Select(e => e.RowKey).ToHashSet();
        Assert.Empty(mine.Intersect(theirs));
        Assert.Equal(450, mine.Count + theirs.Count);
        Assert.Equal(450, await table.QueryAsync<TableEntity>(select: ["RowKey"]).CountAsync());
    }

    [Fact]
    public async Task The_checkpoint_only_moves_forward_whatever_order_concurrent_ticks_finish_in()
    {
        await using var t = await TestInstallation.CreateAsync(July29);
        var state = t.Get<TickState>();
        var ends = Enumerable.Range(1, 20).Select(i => July29 + Duration.FromMinutes(i)).ToList();

        await Task.WhenAll(ends.AsEnumerable().Reverse().Select(e => state.AdvanceCheckpointAsync(e)));
        Assert.Equal(ends[^1], await state.CheckpointAsync());

        await state.AdvanceCheckpointAsync(July29); // an overrun tick finishing late
        Assert.Equal(ends[^1], await state.CheckpointAsync());
    }
}

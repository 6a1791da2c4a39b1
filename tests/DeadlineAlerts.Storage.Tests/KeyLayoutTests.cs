using DeadlineAlerts.Storage;
using DeadlineAlerts.Storage.Ledger;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Storage.Schedule;
using NodaTime;

namespace DeadlineAlerts.Storage.Tests;

/// <summary>The key layout is stored data: a shard that changed between two versions would hide every row written before.</summary>
public sealed class KeyLayoutTests
{
    private static readonly Instant FireAt = Instant.FromUtc(2025, 8, 11, 4, 1);

    [Fact]
    public void Shards_are_pinned_so_rows_written_by_one_version_are_found_by_the_next()
    {
        // SHA-256 of the id, first byte mod 32, as two hex digits. These values are on disk: they must never change.
        Assert.Equal("deadline-0a", RecordStore.DeadlinePartition("us-china-tariff-truce"));
        Assert.Equal("subscriber-08", RecordStore.SubscriberPartition("beijing-desk"));
        Assert.Equal("20250811-08", LedgerKeys.Partition(FireAt, "beijing-desk"));
        Assert.Equal("20250811-08", ScheduleIndex.Partition(FireAt, "beijing-desk"));
    }

    [Fact]
    public void Two_thousand_ids_fill_every_shard_and_no_other()
    {
        var shards = Enumerable.Range(0, 2000).Select(i => KeyShards.Of($"subscriber-{i}")).Distinct().Order().ToList();
        Assert.Equal(Enumerable.Range(0, KeyShards.Count), shards);
        Assert.All(Enumerable.Range(0, 2000).Select(i => RecordStore.SubscriberPartition($"s{i}")), p => Assert.Matches("^subscriber-[0-9a-f]{2}$", p));
    }
}

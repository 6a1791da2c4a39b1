using System.Globalization;
using DeadlineAlerts.Core.Pipeline;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Schedule;
using NodaTime;

namespace DeadlineAlerts.Storage.Ledger;

/// <summary>
/// The one owner of the ledger's key layout; every row of every kind is keyed here.
/// <list type="bullet">
/// <item>PartitionKey = <c>yyyyMMdd-ss</c>: the UTC day of the row's key instant and one of <see cref="Shards"/>
/// shards chosen by the subscriber id. One fire minute of a deadline that a million people follow spreads over
/// 32 partitions instead of one, so Azure's target of 2,000 entities/s per partition caps a minute at
/// 32 × 2,000 entity writes/s (about 21,000 deliveries/s at three writes each) instead of 650; the account's
/// 20,000 transactions/s becomes the limit, as it should (docs/capacity.md).</item>
/// <item>RowKey = key instant in ticks (zero-padded, so text order is time order) + message id + channel id.</item>
/// </list>
/// The key instant is the fire instant for alerts and notices, and the start of the period's local date for a
/// digest, so a digest whose hour the subscriber moves within its period is still one row. Queue messages are cut
/// in this order (one partition, consecutive row keys), so one range query reads exactly a message's rows.
/// </summary>
public static class LedgerKeys
{
    public const int Shards = KeyShards.Count;

    public static string Partition(Instant keyAt, SubscriberId subscriberId) =>
        keyAt.InUtc().Date.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + KeyShards.Suffix(subscriberId.Value);

    public static string RowKey(Instant keyAt, MessageId messageId, ChannelId channelId) =>
        (keyAt - Instant.MinValue).BclCompatibleTicks.ToString("D20", CultureInfo.InvariantCulture) + "_" + messageId.Value + "_" + channelId.Value;

    public static (string PartitionKey, string RowKey) Of(Dispatch d) => (Partition(d.KeyAt, d.SubscriberId), RowKey(d.KeyAt, d.MessageId, d.ChannelId));

    /// <summary>A digest's key instant: its period's local date read as a UTC midnight (a stable name, not a moment).</summary>
    public static Instant DigestKeyAt(DigestPeriod period) => period.Date.AtMidnight().InUtc().ToInstant();
}

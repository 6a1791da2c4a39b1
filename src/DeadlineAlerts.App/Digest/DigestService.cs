using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Storage.Ledger;
using DeadlineAlerts.Storage.Queue;
using DeadlineAlerts.Storage.Records;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace DeadlineAlerts.App.Digest;

public sealed record DigestRunResult(int Subscribers, int Planned, int Skipped, int Enqueued);

/// <summary>
/// Plans and queues subscribers' digests; delivery renders and sends them like alerts (ledger row per
/// channel, claim, retry, poison). Run on a short timer (<c>DigestSchedule</c>, every 15 minutes, and every
/// tick of <c>dla run</c>). Each run looks at one period per subscriber, the latest whose send instant has
/// come, and plans it once:
/// <list type="bullet">
/// <item>The ledger row id comes from (subscriber, period), inserted only if absent: a second run in the
/// same period, or two runs at once, plan and send nothing more.</item>
/// <item>After downtime only the latest period is sent (once, marked late, its countdowns measured from the
/// moment it goes out); the periods missed before it are never sent: a stale digest says nothing the latest
/// one does not say better.</item>
/// <item>A period that began before the subscriber was stored is not sent: a new subscriber's first digest
/// is the next one, not a catch-up.</item>
/// </list>
/// </summary>
public sealed class DigestService(
    RecordStore records,
    AlertLedger ledger,
    AlertQueue queue,
    IOptions<AlertsOptions> options,
    ILogger<DigestService> logger)
{
    public async Task<DigestRunResult> RunAsync(Instant now, CancellationToken ct = default)
    {
        var checkPeriod = Duration.FromTimeSpan(options.Value.DigestPeriod);
        var subscribers = (await records.ListSubscribersAsync(ct)).Where(s => s.Digest is not null && s.TimeZone is not null).ToList();
        var wanted = new List<LedgerEntry>();
        foreach (var s in subscribers)
        {
            var period = DigestSchedule.PeriodContaining(s.Digest!, s.TimeZone!, now);
            if (period.SendAt < s.CreatedAt) continue;
            var id = AlertId.ForDigest(s.Id, period).Value;
            var late = now - period.SendAt > checkPeriod;
            foreach (var channel in s.Channels)
                wanted.Add(channel.BrokenReason is { } broken
                    ? LedgerEntry.PlanDigest(id, s.Id, period, channel, LedgerStatus.Skipped, late, now, $"channel is marked broken: {broken}")
                    : LedgerEntry.PlanDigest(id, s.Id, period, channel, LedgerStatus.Planned, late, now));
        }
        if (wanted.Count == 0) return new DigestRunResult(subscribers.Count, 0, 0, 0);

        var existing = (await ledger.GetAsync(wanted.Select(e => (e.PartitionKey, e.RowKey)), ct)).ToDictionary(e => e.RowKey, StringComparer.Ordinal);
        // A row an earlier run planned and that is still "planned" a whole run later was never queued (that run
        // crashed in between) or its message was lost: queue it again. Delivery claims rows, so a duplicate
        // message sends nothing twice.
        var stranded = existing.Values.Where(e => e.Status == LedgerStatus.Planned && e.PlannedAt + checkPeriod <= now).ToList();
        var inserted = await ledger.AddMissingAsync(wanted.Where(e => !existing.ContainsKey(e.RowKey)), ct);
        var toQueue = inserted.Where(e => e.Status == LedgerStatus.Planned).Concat(stranded).ToList();
        await queue.EnqueueAsync(toQueue.Select(e => new DeliveryRef(e.PartitionKey, e.RowKey)), ct: ct);

        foreach (var e in inserted)
            logger.DigestPlanned(e.AlertId, e.SubscriberId, e.ChannelId, e.DigestPeriod ?? "", e.Status);
        return new DigestRunResult(subscribers.Count,
            inserted.Count(e => e.Status == LedgerStatus.Planned), inserted.Count(e => e.Status == LedgerStatus.Skipped), toQueue.Count);
    }
}

using DeadlineAlerts.Core.Pipeline;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Storage.Ledger;
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
    Outbox.Outbox outbox,
    IOptions<AlertsOptions> options,
    ILogger<DigestService> logger)
{
    public async Task<DigestRunResult> RunAsync(Instant now, CancellationToken ct = default)
    {
        var checkPeriod = Duration.FromTimeSpan(options.Value.DigestPeriod);
        var subscribers = (await records.ListSubscribersAsync(ct)).Where(s => s.Digest is not null && s.TimeZone is not null).ToList();
        var wanted = new List<Dispatch>();
        foreach (var s in subscribers)
        {
            var period = DigestSchedule.PeriodContaining(s.Digest!, s.TimeZone!, now);
            if (period.SendAt < s.CreatedAt) continue;
            var id = MessageId.ForDigest(s.Id, period);
            var late = now - period.SendAt > checkPeriod;
            foreach (var channel in s.Channels)
                wanted.Add(new Dispatch
                {
                    MessageId = id,
                    Kind = MessageKind.Digest,
                    DeadlineId = "",
                    SubscriberId = s.Id,
                    ChannelId = channel.Id,
                    ChannelType = channel.Type,
                    ChannelBroken = channel.BrokenReason,
                    SendAt = period.SendAt,
                    DueAt = period.SendAt,
                    KeyAt = LedgerKeys.DigestKeyAt(period),
                    Late = late,
                    DigestPeriod = period.Key,
                });
        }
        // Rows are keyed by (subscriber, period, channel) and inserted only if absent: a second run in the same period
        // plans nothing. A planned digest whose message a crash lost is the outbox sweep's, like every other row.
        var submitted = await outbox.SubmitAsync(wanted, now, ct);
        foreach (var e in submitted.Inserted)
            logger.DigestPlanned(e.MessageId, e.SubscriberId, e.ChannelId, e.DigestPeriod ?? "", e.Status.Wire());
        return new DigestRunResult(subscribers.Count,
            submitted.Planned, submitted.Inserted.Count(e => e.Status == LedgerStatus.Skipped), submitted.Queued);
    }
}

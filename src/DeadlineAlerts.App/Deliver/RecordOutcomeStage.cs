using DeadlineAlerts.App.Records;
using DeadlineAlerts.Core.Delivery;
using DeadlineAlerts.Storage;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Ledger;
using DeadlineAlerts.Storage.Queue;
using DeadlineAlerts.Storage.Records;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace DeadlineAlerts.App.Deliver;

/// <summary>
/// Stage 4. Turns each outcome into the ledger row's transition (<see cref="LedgerEntry"/>'s methods):
/// delivered; retrying with exponential backoff and jitter, never sooner than the receiver's Retry-After, up to
/// <see cref="AlertsOptions.MaxAttempts"/>; failed (permanent, exhausted, or a record gone), exhausted ones also
/// copied to the poison queue; cancelled when the records no longer plan it. A retry's delayed message is queued
/// before the ledger says "retrying", so a crash between the two cannot lose the retry. A receiver that says the
/// channel is gone marks it broken (audited as "delivery"). Finally, when all of the message's rows are final, its
/// entry leaves the unfinished index.
/// </summary>
public sealed class RecordOutcomeStage(
    AlertLedger ledger,
    Outbox.Outbox outbox,
    AlertQueue queue,
    RecordStore records,
    AuditLog audit,
    IClock clock,
    IOptions<AlertsOptions> options,
    ILogger<RecordOutcomeStage> logger,
    AlertMetrics metrics,
    Random jitter)
{
    public async Task<IReadOnlyList<DeliveryLine>> RunAsync(DeliveryMessage message, IReadOnlyList<Sent> sent, CancellationToken ct)
    {
        var o = options.Value;
        var at = clock.GetCurrentInstant();
        var updates = new List<LedgerEntry>(sent.Count);
        var lines = new List<DeliveryLine>(sent.Count);
        var retries = new List<(DeliveryRef Ref, Duration Delay)>();
        var broken = new List<(LedgerEntry Entry, string Reason)>();
        var poison = new List<DeliveryRef>();
        foreach (var (c, outcome) in sent)
        {
            var entry = c.Entry;
            LedgerEntry done;
            if (outcome is null)
            {
                var notSent = c.NotSent ?? new NotSent(false, "nothing to send");
                done = notSent.Acknowledged ? entry.Acknowledge(at, notSent.Reason)
                    : notSent.Cancel ? entry.Cancel(at, notSent.Reason)
                    : entry.Fail(at, notSent.Reason, sent: false);
                if (!notSent.Cancel && !notSent.Acknowledged)
                {
                    logger.AlertFailed(entry.MessageId, entry.ChannelId, entry.ChannelType, done.Attempts, notSent.Reason);
                    metrics.Failed(entry.ChannelType, entry.Kind);
                }
            }
            else if (outcome.Status == DeliveryStatus.Delivered)
            {
                done = entry.Deliver(at, outcome.ProviderMessageId);
                logger.AlertDelivered(entry.MessageId, entry.ChannelId, entry.ChannelType, done.Attempts, (long)(at - entry.FireAt).TotalMilliseconds);
                metrics.Delivered(entry.ChannelType, entry.Kind, (at - entry.FireAt).ToTimeSpan());
            }
            else if (outcome.Status == DeliveryStatus.Retry && entry.Attempts + 1 < o.MaxAttempts)
            {
                var delay = Backoff(entry.Attempts + 1, outcome.RetryAfter);
                done = entry.Retry(at, at + delay, outcome.Reason);
                retries.Add((new DeliveryRef(entry.PartitionKey, entry.RowKey, done.Attempts), delay));
                logger.AlertRetrying(entry.MessageId, entry.ChannelId, entry.ChannelType, done.Attempts, (long)delay.TotalMilliseconds, outcome.Reason ?? "");
                metrics.Retried(entry.ChannelType, entry.Kind);
            }
            else
            {
                var exhausted = outcome.Status == DeliveryStatus.Retry;
                var reason = exhausted ? $"gave up after {entry.Attempts + 1} attempts; last: {outcome.Reason}" : outcome.Reason ?? "permanent failure";
                done = entry.Fail(at, reason, sent: true);
                logger.AlertFailed(entry.MessageId, entry.ChannelId, entry.ChannelType, done.Attempts, reason);
                metrics.Failed(entry.ChannelType, entry.Kind);
                if (exhausted) poison.Add(new DeliveryRef(entry.PartitionKey, entry.RowKey, done.Attempts));
                if (outcome.ChannelBroken) broken.Add((entry, outcome.Reason ?? "refused by the receiver"));
            }
            updates.Add(done);
            lines.Add(new DeliveryLine(done, done.Status, c.View?.PlainText, c.Channel?.Redacted, done.LastError));
        }

        // The sends happened: their outcomes are worth waiting for storage to come back for, for up to half the lease
        // (the rows are ours until it ends). Past that, the lease runs out and the sweep sends them again: the
        // README's one window of doubt, with the same idempotency key.
        var budget = o.SendLease / 2;
        // Delays go to the queue in whole seconds; the claim stage waits out the rest (see ClaimStage).
        await StorageRetry.ThroughOutageAsync(() => Task.WhenAll(retries.GroupBy(r => Math.Floor(r.Delay.TotalSeconds))
            .Select(g => queue.EnqueueAsync(g.Select(r => r.Ref), TimeSpan.FromSeconds(g.Key), ct))), budget, ct);
        foreach (var p in poison) await queue.PoisonAsync(new DeliveryMessage([p]).Serialize(), ct);
        foreach (var (entry, reason) in broken) await MarkBrokenAsync(entry, reason, at, ct);
        var written = await StorageRetry.ThroughOutageAsync(() => ledger.TryUpdateAsync(updates, ct), budget, ct);
        await outbox.FinishedAsync(message, written, ct);
        return lines;
    }

    /// <summary>
    /// Marks the channel broken so that operators see it (<c>dla subscribers</c>, the API) and later alerts skip
    /// it, and audits the change as the delivery's: nobody typed it, so the log says who did.
    /// </summary>
    private async Task MarkBrokenAsync(LedgerEntry entry, string reason, Instant at, CancellationToken ct)
    {
        var change = await records.MarkChannelBrokenAsync(entry.SubscriberId, entry.ChannelId, reason, ct);
        if (change is not { } c) return;
        var channel = c.After.Channels.First(ch => ch.Id == entry.ChannelId);
        await audit.AppendAsync(AuditEntries.For(at, "delivery", AuditAction.ChannelBroken, c.Before, c.After) with
        {
            Summary = $"channel {channel.Id} ({channel.Redacted}) marked broken: {reason}",
        }, ct);
    }

    /// <summary>Exponential backoff with ±20% jitter, never shorter than the receiver's Retry-After.</summary>
    private Duration Backoff(int attempts, Duration? retryAfter)
    {
        var o = options.Value;
        var exponential = o.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempts - 1));
        var capped = Math.Min(exponential, o.MaxRetryDelay.TotalMilliseconds);
        var jittered = capped * (0.8 + jitter.NextDouble() * 0.4);
        var delay = Duration.FromMilliseconds(jittered);
        return retryAfter is { } after && after > delay ? after : delay;
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using DeadlineAlerts.App.Links;
using DeadlineAlerts.App.Records;
using DeadlineAlerts.Core.Delivery;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Ledger;
using DeadlineAlerts.Storage.Queue;
using DeadlineAlerts.Storage.Records;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace DeadlineAlerts.App.Deliver;

/// <summary>What happened to one delivery, for the CLI's output and for tests.</summary>
public sealed record DeliveryLine(LedgerEntry Entry, string Status, string? Text, string? ChannelShown, string? Reason);

/// <summary>
/// Delivers what one queue message carries. Per delivery: claim the ledger row (ETag, lease), send through
/// the channel, record the outcome. Transient failures are retried by a delayed queue message (exponential
/// backoff with jitter, honouring Retry-After) up to <see cref="AlertsOptions.MaxAttempts"/>, then failed
/// and copied to the poison queue; permanent failures are failed at once. The retry message is queued
/// before the ledger says "retrying", so a crash between the two cannot lose the retry.
/// </summary>
public sealed class DeliveryService(
    RecordStore records,
    AlertLedger ledger,
    AlertQueue queue,
    IEnumerable<IAlertChannel> channels,
    IClock clock,
    IOptions<AlertsOptions> options,
    SubscriberLinks links,
    AuditLog audit,
    ILogger<DeliveryService> logger)
{
    private readonly Dictionary<string, IAlertChannel> _channels = channels.ToDictionary(c => c.Type, StringComparer.OrdinalIgnoreCase);

    public async Task<IReadOnlyList<DeliveryLine>> DeliverAsync(DeliveryMessage message, CancellationToken ct = default)
    {
        var o = options.Value;
        var now = clock.GetCurrentInstant();
        var refs = message.Deliveries.DistinctBy(d => (d.PartitionKey, d.RowKey)).ToList();
        var attemptOf = refs.ToDictionary(r => r.RowKey, r => r.Attempt, StringComparer.Ordinal);
        var entries = await ledger.GetAsync(refs.Select(r => (r.PartitionKey, r.RowKey)), ct);

        var claims = entries.Where(e => Eligible(e, attemptOf[e.RowKey], now))
            .Select(e => e with { Status = LedgerStatus.Sending, Attempts = e.Attempts + 1, LeaseUntil = now + Duration.FromTimeSpan(o.SendLease) })
            .ToList();
        var claimed = await ledger.TryUpdateAsync(claims, ct);
        if (claimed.Count == 0) return [];

        var cache = new RecordCache(records);
        await cache.LoadAsync(claimed.Select(c => c.DeadlineId), claimed.Select(c => c.SubscriberId), ct);
        // A digest lists every deadline its subscriber follows: read them once per message, and only if needed.
        var deadlines = new Lazy<Task<List<Deadline>>>(() => records.ListDeadlinesAsync(ct));
        var results = new ConcurrentBag<(LedgerEntry Entry, DeliveryOutcome? Outcome, string? Text, ChannelSpec? Channel)>();
        await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = o.DeliveryConcurrency, CancellationToken = ct },
            async (entry, token) =>
            {
                var (outcome, text, channel) = await SendAsync(entry, cache, deadlines, now, token);
                results.Add((entry, outcome, text, channel));
            });

        var retries = new List<(DeliveryRef Ref, Duration Delay)>();
        var updates = new List<LedgerEntry>();
        var lines = new List<DeliveryLine>();
        var completedAt = clock.GetCurrentInstant();
        foreach (var (entry, outcome, text, channel) in results)
        {
            var done = entry with { LeaseUntil = null, NextAttemptAt = null };
            if (outcome is null)
            {
                done = done with { Status = LedgerStatus.Cancelled, CompletedAt = completedAt, Attempts = entry.Attempts - 1,
                    LastError = "cancelled: the deadline or subscriber changed after the alert was planned; it no longer applies" };
                updates.Add(done);
                lines.Add(new DeliveryLine(done, done.Status, null, channel?.Redacted, done.LastError));
                continue;
            }
            switch (outcome.Status)
            {
                case DeliveryStatus.Delivered:
                    done = done with { Status = LedgerStatus.Delivered, CompletedAt = completedAt, ProviderMessageId = outcome.ProviderMessageId, LastError = null };
                    logger.AlertDelivered(entry.AlertId, entry.ChannelId, entry.ChannelType, done.Attempts, (long)(completedAt - entry.FireAt).TotalMilliseconds);
                    break;
                case DeliveryStatus.Retry when entry.Attempts < o.MaxAttempts:
                    var delay = Backoff(entry.Attempts, outcome.RetryAfter);
                    done = done with { Status = LedgerStatus.Retrying, LastError = outcome.Reason, NextAttemptAt = completedAt + delay };
                    retries.Add((new DeliveryRef(entry.PartitionKey, entry.RowKey, entry.Attempts), delay));
                    logger.AlertRetrying(entry.AlertId, entry.ChannelId, entry.ChannelType, entry.Attempts, (long)delay.TotalMilliseconds, outcome.Reason ?? "");
                    break;
                default:
                    var reason = outcome.Status == DeliveryStatus.Retry
                        ? $"gave up after {entry.Attempts} attempts; last: {outcome.Reason}"
                        : outcome.Reason ?? "permanent failure";
                    done = done with { Status = LedgerStatus.Failed, CompletedAt = completedAt, LastError = reason };
                    logger.AlertFailed(entry.AlertId, entry.ChannelId, entry.ChannelType, entry.Attempts, reason);
                    if (outcome.Status == DeliveryStatus.Retry)
                        await queue.PoisonAsync(new DeliveryMessage([new DeliveryRef(entry.PartitionKey, entry.RowKey, entry.Attempts)]).Serialize(), ct);
                    if (outcome.ChannelBroken)
                        await MarkBrokenAsync(entry, outcome.Reason ?? "refused by the receiver", completedAt, ct);
                    break;
            }
            updates.Add(done);
            lines.Add(new DeliveryLine(done, done.Status, text, channel?.Redacted, done.LastError));
        }

        foreach (var group in retries.GroupBy(r => r.Delay))
            await queue.EnqueueAsync(group.Select(r => r.Ref), group.Key.ToTimeSpan(), ct);
        await ledger.TryUpdateAsync(updates, ct);
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

    /// <summary>May this message's worker send this delivery now?</summary>
    private static bool Eligible(LedgerEntry e, int messageAttempt, Instant now) => e.Status switch
    {
        LedgerStatus.Planned => true,
        // The retry scheduled for this attempt, or a retry whose message was lost and whose time has come.
        LedgerStatus.Retrying => messageAttempt == e.Attempts || e.NextAttemptAt <= now,
        // A worker claimed it and never finished (crashed): its lease has run out.
        LedgerStatus.Sending => e.LeaseUntil <= now,
        _ => false,
    };

    /// <summary>Sends one claimed row, of any kind, through its channel's one <see cref="IAlertChannel.SendAsync"/>.
    /// A null outcome: the row is an alert the current records no longer plan (the deadline was extended,
    /// resolved or cancelled, or the subscriber changed), so it is not sent.</summary>
    private async Task<(DeliveryOutcome?, string?, ChannelSpec?)> SendAsync(LedgerEntry entry, RecordCache cache, Lazy<Task<List<Deadline>>> deadlines,
        Instant now, CancellationToken ct)
    {
        var subscriber = await cache.SubscriberAsync(entry.SubscriberId, ct);
        var deadline = entry.Kind == MessageKind.Digest ? null : await cache.DeadlineAsync(entry.DeadlineId, ct);
        if (subscriber is null || (entry.Kind == MessageKind.Digest ? subscriber.Digest is null || subscriber.TimeZone is null : deadline is null))
            return (DeliveryOutcome.Permanent(entry.Kind == MessageKind.Digest
                ? "the subscriber or its digest was removed before delivery"
                : "the deadline or subscriber was deleted before delivery"), null, null);
        if (entry.Kind == MessageKind.Alert && !Core.Schedule.AlertPlanner.StillApplies(entry.ToPlannedAlert(), deadline!, subscriber))
            return (null, null, null);
        var spec = subscriber.Channels.FirstOrDefault(c => c.Id == entry.ChannelId);
        if (spec is null) return (DeliveryOutcome.Permanent("the channel was removed from the subscriber before delivery"), null, null);
        var view = entry.Kind == MessageKind.Digest
            ? DigestOf(entry, subscriber, await deadlines.Value, now)
            : ViewOf(entry, deadline!, subscriber, now);
        if (view is null) return (DeliveryOutcome.Permanent($"the deadline no longer records the change this {entry.Kind} reports"), null, spec);
        view = view with { UnsubscribeUrl = links.UnsubscribeUrl(subscriber.Id, spec.Id) };
        if (!_channels.TryGetValue(spec.Type, out var channel))
            return (DeliveryOutcome.Permanent($"no channel can send type \"{spec.Type}\" in this installation"), view.PlainText, spec);
        try
        {
            return (await channel.SendAsync(view, spec, ct), view.PlainText, spec);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // A channel should return outcomes, not throw; an unexpected exception is treated as transient.
            // Only its type is kept: exception messages can carry URLs with tokens.
            return (DeliveryOutcome.Retry($"unexpected {e.GetType().Name} in the {spec.Type} channel"), view.PlainText, spec);
        }
    }

    /// <summary>
    /// The one view every channel renders, built per kind from the ledger row and the current records:
    /// an alert from its lead time; a notice from the history entry the row names (<see cref="LedgerEntry.Ref"/>),
    /// so a retried notice says exactly what the first attempt said. Digests: <see cref="DigestOf"/>.
    /// </summary>
    private static AlertView? ViewOf(LedgerEntry entry, Deadline deadline, Subscriber subscriber, Instant now) => entry.Kind switch
    {
        MessageKind.Notice => deadline.History.FirstOrDefault(h => h.Id == entry.Ref) is { } change
            ? AlertView.CreateNotice(new Core.Schedule.AlertId(entry.AlertId), change.ToNotice(), deadline, subscriber, change.At)
            : null,
        MessageKind.Alert => AlertView.Create(entry.ToPlannedAlert(), deadline, subscriber, now, entry.Late),
        _ => null,
    };

    /// <summary>A digest as planned: its period's date from the row and its send instant as it was then (the
    /// subscriber may have moved the hour since), listing the deadlines as they are now.</summary>
    private static AlertView DigestOf(LedgerEntry entry, Subscriber subscriber, IEnumerable<Deadline> deadlines, Instant now) =>
        AlertView.CreateDigest(subscriber, new DigestPeriod(NodaTime.Text.LocalDatePattern.Iso.Parse(entry.DigestPeriod ?? "").GetValueOrThrow(), entry.FireAt),
            deadlines, now, entry.Late);

    /// <summary>Exponential backoff with ±20% jitter, never shorter than the receiver's Retry-After.</summary>
    private Duration Backoff(int attempts, Duration? retryAfter)
    {
        var o = options.Value;
        var exponential = o.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempts - 1));
        var capped = Math.Min(exponential, o.MaxRetryDelay.TotalMilliseconds);
        var jittered = capped * (0.8 + Random.Shared.NextDouble() * 0.4);
        var delay = Duration.FromMilliseconds(jittered);
        return retryAfter is { } after && after > delay ? after : delay;
    }
}

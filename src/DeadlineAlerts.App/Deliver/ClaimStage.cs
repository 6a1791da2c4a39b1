using DeadlineAlerts.Storage.Ledger;
using DeadlineAlerts.Storage.Queue;
using Microsoft.Extensions.Options;
using NodaTime;

namespace DeadlineAlerts.App.Deliver;

/// <summary>
/// Stage 1. Reads a message's ledger rows (one range query: a message is one partition, in key order) and claims
/// those still to be sent, conditional on their ETag, so of two workers holding the same row only one sends it.
/// A row is to be sent when it is planned and its time has come, when its retry time has come, or when a
/// worker claimed it and its lease ran out (that worker vanished). A row the outbox queued as soon as it was
/// planned comes with its content and ETag (<see cref="DeliveryRef.Planned"/>) and is claimed without being read:
/// the ETag proves it is still exactly as planned; only a row that has changed since is read. A retry whose message arrives within a second
/// of its time waits it out here: the queue counts delays in whole seconds, and a retry is never early.
/// </summary>
public sealed class ClaimStage(AlertLedger ledger, IClock clock, IOptions<AlertsOptions> options)
{
    private static readonly Duration EarlyMessage = Duration.FromSeconds(1.5);

    public async Task<IReadOnlyList<LedgerEntry>> RunAsync(DeliveryMessage message, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var snapshots = message.Deliveries.Select(d => d.PlannedEntry()).OfType<LedgerEntry>().Where(e => e.FireAt <= now)
            .DistinctBy(e => (e.PartitionKey, e.RowKey)).ToList();
        var claimedUnread = snapshots.Count == 0 ? []
            : await ledger.TryClaimPlannedAsync(snapshots.Select(e => e.Claim(now + Duration.FromTimeSpan(options.Value.SendLease))).ToList(), ct);
        var done = claimedUnread.Select(e => (e.PartitionKey, e.RowKey)).ToHashSet();
        var toRead = message.Deliveries.Select(r => (r.PartitionKey, r.RowKey)).Where(k => !done.Contains(k)).Distinct().ToList();
        if (toRead.Count == 0) return claimedUnread;
        return [.. claimedUnread, .. await ClaimReadAsync(toRead, ct)];
    }

    private async Task<IReadOnlyList<LedgerEntry>> ClaimReadAsync(IReadOnlyList<(string PartitionKey, string RowKey)> keys, CancellationToken ct)
    {
        var rows = await ledger.GetAsync(keys, ct);
        var now = clock.GetCurrentInstant();
        var wait = rows.Where(e => e.Status == LedgerStatus.Retrying && e.NextAttemptAt > now && e.NextAttemptAt - now <= EarlyMessage)
            .Select(e => e.NextAttemptAt!.Value - now).DefaultIfEmpty(Duration.Zero).Max();
        if (wait > Duration.Zero)
        {
            await Task.Delay(wait.ToTimeSpan(), ct);
            now = Instant.Max(clock.GetCurrentInstant(), now + wait);
        }
        var lease = now + Duration.FromTimeSpan(options.Value.SendLease);
        var claims = rows.Where(e => Due(e, now)).Select(e => e.Claim(lease)).ToList();
        return claims.Count == 0 ? [] : await ledger.TryUpdateAsync(claims, ct);
    }

    private static bool Due(LedgerEntry e, Instant now) => e.Status switch
    {
        LedgerStatus.Planned => e.FireAt <= now,
        LedgerStatus.Retrying => e.NextAttemptAt <= now,
        LedgerStatus.Sending => e.LeaseUntil <= now,
        _ => false,
    };
}

using DeadlineAlerts.Core.Pipeline;
using DeadlineAlerts.Storage.Ledger;
using DeadlineAlerts.Storage.Queue;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace DeadlineAlerts.App.Outbox;

/// <summary>What an outbox submission wrote: the ledger rows this call inserted (others were there already) and the messages queued.</summary>
public sealed record OutboxResult(IReadOnlyList<LedgerEntry> Inserted, int Queued)
{
    public static readonly OutboxResult Empty = new([], 0);
    public int Planned => Inserted.Count(e => e.Status == LedgerStatus.Planned);
}

/// <summary>What a sweep found: rows re-queued, index entries dropped (their rows were final), rows still open, and the
/// earliest moment one of those needs someone.</summary>
public sealed record SweepResult(int Requeued, int Finished, int Open, Instant? NextActionAt)
{
    public static readonly SweepResult Empty = new(0, 0, 0, null);
}

/// <summary>
/// The one way in to delivery. Producers (the tick, milestones, digests) hand it <see cref="Dispatch"/>es; it
/// writes the ledger rows if absent and queues what is due. Written once here:
/// <list type="bullet">
/// <item><b>The broken-channel rule</b> (<see cref="LedgerEntry.Plan"/>): a dispatch to a channel marked broken is recorded as skipped.</item>
/// <item><b>The stranded rule</b> (<see cref="SweepAsync"/>): every ledger row that is not final is listed in the
/// <see cref="UnfinishedIndex"/> before it is written, and stays there until it is final. The sweep looks only
/// at that index: a planned or retrying row whose queue message was lost, or a sending row whose worker
/// vanished (its lease ran out), is queued again. So with any crash, at any step, every row ends final.</item>
/// </list>
/// Order of writes, and what a crash between them leaves: index entry → ledger row (an entry whose row is
/// missing: the producer writes the row again on its next run, or the sweep drops the entry) → queue message
/// (a planned row with no message: the sweep queues it) → delivery (a sending row: the sweep re-queues it
/// after its lease) → final row → index entry removed (a final row with an entry: the sweep drops the entry).
/// </summary>
public sealed class Outbox(AlertLedger ledger, UnfinishedIndex unfinished, AlertQueue queue, IOptions<AlertsOptions> options, ILogger<Outbox> logger)
{
    /// <summary>How long a queued row may wait before the sweep looks at it: a lease, or two scan periods, whichever is longer.</summary>
    private Duration Grace => Duration.FromTimeSpan(TimeSpan.FromTicks(Math.Max(options.Value.SendLease.Ticks, 2 * options.Value.ScanPeriod.Ticks)));

    public async Task<OutboxResult> SubmitAsync(IReadOnlyCollection<Dispatch> dispatches, Instant now, CancellationToken ct = default)
    {
        if (dispatches.Count == 0) return OutboxResult.Empty;
        var rows = dispatches.Select(d => LedgerEntry.Plan(d, now)).DistinctBy(r => (r.PartitionKey, r.RowKey)).ToList();
        await unfinished.AddAsync(rows.Where(r => !r.IsFinal)
            .Select(r => new UnfinishedRow(r.PartitionKey, r.RowKey, r.FireAt <= now ? now + Grace : r.FireAt, 0)), ct);
        var inserted = await ledger.AddMissingAsync(rows, ct);
        var queued = await queue.EnqueueAsync(inserted.Where(e => e.Status == LedgerStatus.Planned && e.FireAt <= now)
            .Select(DeliveryRef.Snapshot), ct: ct);
        return new OutboxResult(inserted, queued);
    }

    /// <summary>
    /// Stops what these dispatches would have sent: rows still planned or retrying become cancelled, and rows are
    /// written as cancelled for dispatches that had none yet, so no later tick plans them. Returns how many.
    /// </summary>
    public async Task<int> CancelAsync(IReadOnlyCollection<Dispatch> wouldHaveSent, string reason, Instant now, CancellationToken ct = default)
    {
        if (wouldHaveSent.Count == 0) return 0;
        var wanted = wouldHaveSent.Select(d => LedgerEntry.PlanCancelled(d, now, reason)).DistinctBy(r => (r.PartitionKey, r.RowKey)).ToList();
        var existing = await ledger.GetAsync(wanted.Select(e => (e.PartitionKey, e.RowKey)), ct);
        var known = existing.Select(e => (e.PartitionKey, e.RowKey)).ToHashSet();
        var stop = existing.Where(e => e.Status is LedgerStatus.Planned or LedgerStatus.Retrying).Select(e => e.Cancel(now, reason)).ToList();
        var updated = await ledger.TryUpdateAsync(stop, ct);
        var added = await ledger.AddMissingAsync(wanted.Where(e => !known.Contains((e.PartitionKey, e.RowKey))), ct);
        await unfinished.RemoveAsync(updated.Select(e => (e.PartitionKey, e.RowKey)), ct);
        return updated.Count + added.Count;
    }

    /// <summary>Drops the index entries of rows that became final.</summary>
    public Task FinishedAsync(IEnumerable<LedgerEntry> rows, CancellationToken ct = default) =>
        unfinished.RemoveAsync(rows.Where(r => r.IsFinal).Select(r => (r.PartitionKey, r.RowKey)), ct);

    /// <summary>
    /// The stranded rule. Looks at the unfinished rows whose check time has come (with <paramref name="everything"/>,
    /// at all of them: `dla run --once` wants everything due delivered before it exits), queues again each whose
    /// time to act has come, and sets when to look at the rest. A row re-queued again and again (a queue that is
    /// badly behind) is looked at less often each time, so the sweep never floods the queue.
    /// </summary>
    public async Task<SweepResult> SweepAsync(Instant now, bool everything = false, CancellationToken ct = default)
    {
        var due = await unfinished.DueAsync(everything ? null : now, ct);
        if (due.Count == 0) return SweepResult.Empty;
        var rows = (await ledger.GetAsync(due.Select(u => (u.PartitionKey, u.RowKey)), ct)).ToDictionary(e => (e.PartitionKey, e.RowKey));
        var finished = new List<(string, string)>();
        var later = new List<UnfinishedRow>();
        var requeue = new List<LedgerEntry>();
        Instant? next = null;
        foreach (var u in due)
        {
            if (!rows.TryGetValue((u.PartitionKey, u.RowKey), out var row))
            {
                // Its writer crashed before writing the row; the producer writes it on its next run. Give up on it after a few looks.
                if (u.Requeues >= 3) finished.Add((u.PartitionKey, u.RowKey));
                else later.Add(u with { CheckAt = now + Grace, Requeues = u.Requeues + 1 });
                continue;
            }
            if (row.IsFinal) { finished.Add((u.PartitionKey, u.RowKey)); continue; }
            var actAt = row.NextActionAt ?? now;
            if (actAt <= now)
            {
                requeue.Add(row);
                later.Add(u with { CheckAt = now + Grace * Math.Pow(2, Math.Min(u.Requeues, 5)), Requeues = u.Requeues + 1 });
                continue;
            }
            next = next is { } n && n < actAt ? n : actAt;
            // A retry or a live claim: its own message comes at actAt; look again a grace later in case it does not.
            // A held row (planned for later) has no message: the sweep is what queues it, at its time.
            if (!everything) later.Add(u with { CheckAt = row.Status == LedgerStatus.Planned ? actAt : actAt + Grace });
        }
        await Task.WhenAll(unfinished.RemoveAsync(finished, ct), unfinished.AddAsync(later, ct));
        await queue.EnqueueAsync(requeue.Select(e => new DeliveryRef(e.PartitionKey, e.RowKey)), ct: ct);
        var stranded = requeue.Count(r => r.Status != LedgerStatus.Planned || r.FireAt + Grace <= now);
        if (stranded > 0) logger.SweepRequeued(stranded);
        return new SweepResult(requeue.Count, finished.Count, due.Count - finished.Count, next);
    }
}

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
/// <item><b>The stranded rule</b> (<see cref="SweepAsync"/>): every ledger row that is not final is named by an entry
/// of the <see cref="UnfinishedIndex"/> (one per message: the rows written and queued together) before it is
/// written, and the entry stays until all of its rows are final. The sweep looks only
/// at that index: a planned or retrying row whose queue message was lost, or a sending row whose worker
/// vanished (its lease ran out), is queued again. So with any crash, at any step, every row ends final.</item>
/// </list>
/// Order of writes, and what a crash between them leaves: index entry → ledger row (an entry whose row is
/// missing: the producer writes the row again on its next run, or the sweep drops the entry) → queue message
/// (a planned row with no message: the sweep queues it) → delivery (a sending row: the sweep re-queues it
/// after its lease) → final rows → index entry removed (final rows with an entry: the sweep drops the entry).
/// </summary>
public sealed class Outbox(AlertLedger ledger, UnfinishedIndex unfinished, AlertQueue queue, IOptions<AlertsOptions> options, ILogger<Outbox> logger)
{
    /// <summary>How long a queued row may wait before the sweep looks at it: a lease, or two scan periods, whichever is longer.</summary>
    private Duration Grace => Duration.FromTimeSpan(TimeSpan.FromTicks(Math.Max(options.Value.SendLease.Ticks, 2 * options.Value.ScanPeriod.Ticks)));

    public async Task<OutboxResult> SubmitAsync(IReadOnlyCollection<Dispatch> dispatches, Instant now, CancellationToken ct = default)
    {
        if (dispatches.Count == 0) return OutboxResult.Empty;
        var rows = dispatches.Select(d => LedgerEntry.Plan(d, now)).DistinctBy(r => (r.PartitionKey, r.RowKey)).ToList();
        // One index entry per message to be: the rows due now cut as the queue cuts them, the held ones (planned for
        // later, queued by the sweep at their time) apart.
        var work = rows.Where(r => !r.IsFinal).GroupBy(r => r.FireAt <= now)
            .SelectMany(g => AlertQueue.Cut(g, r => (r.PartitionKey, r.RowKey)))
            .Select(chunk => UnfinishedWork.For(chunk[0].PartitionKey, [.. chunk.Select(r => r.RowKey)],
                chunk.Min(r => r.FireAt <= now ? now + Grace : r.FireAt)))
            .ToList();
        await unfinished.AddAsync(work, ct);
        var inserted = await ledger.AddMissingAsync(rows, ct);
        var queueNow = inserted.Where(e => e.Status == LedgerStatus.Planned && e.FireAt <= now).ToDictionary(e => (e.PartitionKey, e.RowKey));
        var messages = work.Select(w =>
        {
            var refs = w.RowKeys.Select(rk => queueNow.GetValueOrDefault((w.PartitionKey, rk))).OfType<LedgerEntry>().Select(DeliveryRef.Snapshot).ToList();
            // The message can close the entry only when it holds all of the entry's rows (none was there already).
            return new DeliveryMessage(refs, refs.Count == w.RowKeys.Count ? w.Key : null);
        });
        var queued = await queue.EnqueueAsync(messages, ct: ct);
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
        // The index entries of the rows stopped stay until the sweep finds all of their rows final.
        return updated.Count + added.Count;
    }

    /// <summary>
    /// After a message's delivery: drops its index entry when the message names one (it held all of the entry's
    /// open rows) and every one of its rows is now final. Otherwise the entry stays for the sweep.
    /// </summary>
    public Task FinishedAsync(DeliveryMessage message, IEnumerable<LedgerEntry> written, CancellationToken ct = default)
    {
        if (message.Work is not { } work || message.Deliveries.Count == 0) return Task.CompletedTask;
        var final = written.Where(r => r.IsFinal).Select(r => (r.PartitionKey, r.RowKey)).ToHashSet();
        return message.Deliveries.All(d => final.Contains((d.PartitionKey, d.RowKey)))
            ? unfinished.RemoveAsync([(message.Deliveries[0].PartitionKey, work)], ct)
            : Task.CompletedTask;
    }

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
        var rows = (await ledger.GetAsync(due.SelectMany(u => u.RowKeys.Select(rk => (u.PartitionKey, rk))), ct))
            .ToDictionary(e => (e.PartitionKey, e.RowKey));
        var finished = new List<(string, string)>();
        var later = new List<UnfinishedWork>();
        var requeue = new List<DeliveryMessage>();
        var requeued = new List<LedgerEntry>();
        var open = 0;
        Instant? next = null;
        foreach (var u in due)
        {
            var missing = u.RowKeys.Count(rk => !rows.ContainsKey((u.PartitionKey, rk)));
            var unfinishedRows = u.RowKeys.Select(rk => rows.GetValueOrDefault((u.PartitionKey, rk))).OfType<LedgerEntry>().Where(r => !r.IsFinal).ToList();
            open += unfinishedRows.Count;
            if (unfinishedRows.Count == 0)
            {
                // All final; or some rows were never written (their writer crashed before; the producer writes them on
                // its next run, with an entry of their own): give up on those after a few looks.
                if (missing == 0 || u.Requeues >= 3) finished.Add((u.PartitionKey, u.Key));
                else later.Add(u with { CheckAt = now + Grace, Requeues = u.Requeues + 1 });
                continue;
            }
            var act = unfinishedRows.Where(r => (r.NextActionAt ?? now) <= now).ToList();
            Instant? checkAt = null;
            foreach (var r in unfinishedRows.Except(act))
            {
                var actAt = r.NextActionAt!.Value;
                next = next is { } n && n < actAt ? n : actAt;
                // A retry or a live claim: its own message comes at actAt; look again a grace later in case it does not.
                // A held row (planned for later) has no message: the sweep is what queues it, at its time.
                var look = r.Status == LedgerStatus.Planned ? actAt : actAt + Grace;
                checkAt = checkAt is { } c && c < look ? c : look;
            }
            if (act.Count > 0)
            {
                requeued.AddRange(act);
                requeue.Add(new DeliveryMessage([.. act.Select(e => new DeliveryRef(e.PartitionKey, e.RowKey))],
                    act.Count == unfinishedRows.Count && missing == 0 ? u.Key : null));
                // A set re-queued again and again (a queue that is badly behind) is looked at less often each time.
                var backoff = now + Grace * Math.Pow(2, Math.Min(u.Requeues, 5));
                later.Add(u with { CheckAt = checkAt is { } c && c < backoff ? c : backoff, Requeues = u.Requeues + 1 });
            }
            else if (!everything) later.Add(u with { CheckAt = checkAt!.Value });
        }
        await Task.WhenAll(unfinished.RemoveAsync(finished, ct), unfinished.AddAsync(later, ct));
        await queue.EnqueueAsync(requeue, ct: ct);
        var stranded = requeued.Count(r => r.Status != LedgerStatus.Planned || r.FireAt + Grace <= now);
        if (stranded > 0) logger.SweepRequeued(stranded);
        return new SweepResult(requeued.Count, finished.Count, open, next);
    }
}

using System.Diagnostics;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Storage;
using DeadlineAlerts.Storage.Ledger;
using DeadlineAlerts.Storage.Queue;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Storage.Schedule;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace DeadlineAlerts.App.Scan;

public sealed record TickResult(Instant? WindowStart, Instant WindowEnd, int Planned, int Skipped, int Late, int Enqueued);

/// <summary>One alert that fires in a window, as a person would see it (preview and `dla run` output).</summary>
public sealed record DueAlert(PlannedAlert Alert, TickDecision Decision, AlertView View, IReadOnlyList<ChannelSpec> Channels);

/// <summary>
/// The tick: plan every alert whose fire instant lies in (last checkpoint, now], write it to the ledger,
/// queue it, then move the checkpoint. Each step is safe to repeat, so a repeated tick, two ticks at once
/// or a crash between any two steps neither loses an alert nor sends one twice:
/// <list type="number">
/// <item>ledger rows are added only if absent (the alert id is deterministic);</item>
/// <item>every row of the window still "planned" is queued, including ones a crashed tick inserted but never queued;</item>
/// <item>delivery claims a row with an ETag before sending, so duplicate queue messages send nothing twice;</item>
/// <item>the checkpoint moves last, and only forward.</item>
/// </list>
/// </summary>
public sealed class ScanService(
    StorageClients clients,
    RecordStore records,
    ScheduleIndex schedule,
    AlertLedger ledger,
    AlertQueue queue,
    TickState state,
    IClock clock,
    IOptions<AlertsOptions> options,
    ILogger<ScanService> logger)
{
    private Duration ScanPeriod => Duration.FromTimeSpan(options.Value.ScanPeriod);

    public async Task<TickResult> TickAsync(CancellationToken ct = default)
    {
        var started = Stopwatch.StartNew();
        var requestsBefore = clients.Requests.Count;
        var now = clock.GetCurrentInstant();
        var from = await state.CheckpointAsync(ct)
                   ?? (await state.FirstStoredAsync(ct)) - Duration.Epsilon; // first window includes the first stored moment
        if (from is null || from >= now) return new TickResult(from, now, 0, 0, 0, 0);

        var due = await DueAsync(from.Value, now, tickAt: now, ct);
        var existing = (await ledger.InWindowAsync(from.Value, now, ct)).ToDictionary(e => e.RowKey, StringComparer.Ordinal);

        var fresh = new List<LedgerEntry>();
        var toQueue = new List<LedgerEntry>();
        foreach (var d in due)
        foreach (var channel in d.Channels)
        {
            var key = LedgerEntry.KeyOf(d.Alert, channel.Id);
            if (existing.TryGetValue(key, out var known))
            {
                if (known.Status == LedgerStatus.Planned) toQueue.Add(known); // planned by a tick that may have crashed before queueing
                continue;
            }
            var late = d.Decision is TickDecision.SendLate or TickDecision.SkipLate;
            fresh.Add(d.Decision == TickDecision.SkipLate
                ? LedgerEntry.Plan(d.Alert, channel.Id, channel.Type, LedgerStatus.Skipped, late, now, "late: the deadline had passed when the alert was planned")
                : channel.BrokenReason is { } broken
                    ? LedgerEntry.Plan(d.Alert, channel.Id, channel.Type, LedgerStatus.Skipped, late, now, $"channel is marked broken: {broken}")
                    : LedgerEntry.Plan(d.Alert, channel.Id, channel.Type, LedgerStatus.Planned, late, now));
        }

        // Change notices are planned by the change, not by the schedule: the tick queues those of its window that
        // are still planned (a notice held for quiet hours, or one whose queue message a crash lost).
        toQueue.AddRange(existing.Values.Where(e => e.Kind == MessageKind.Notice && e.Status == LedgerStatus.Planned));

        var inserted = await ledger.AddMissingAsync(fresh, ct);
        toQueue.AddRange(inserted.Where(e => e.Status == LedgerStatus.Planned));
        await queue.EnqueueAsync(toQueue.Select(e => new DeliveryRef(e.PartitionKey, e.RowKey)), ct: ct);

        foreach (var e in inserted)
        {
            if (e.Status == LedgerStatus.Skipped) { logger.AlertSkipped(e.AlertId, e.LastError ?? "skipped"); continue; }
            logger.AlertPlanned(e.AlertId, e.DeadlineId, e.SubscriberId, e.LeadTime ?? "", RecordEntities.Iso(e.FireAt));
            if (e.Late) logger.AlertLate(e.AlertId, (long)(now - e.FireAt).TotalMilliseconds);
        }

        await state.AdvanceCheckpointAsync(now, inserted.Count(e => e.Status == LedgerStatus.Planned), ct);
        var result = new TickResult(from, now,
            inserted.Count(e => e.Status == LedgerStatus.Planned),
            inserted.Count(e => e.Status == LedgerStatus.Skipped),
            inserted.Count(e => e.Late && e.Status == LedgerStatus.Planned),
            toQueue.Count);
        logger.TickCompleted(started.ElapsedMilliseconds, RecordEntities.Iso(from.Value), RecordEntities.Iso(now), result.Planned,
            clients.Requests.Count - requestsBefore);
        return result;
    }

    /// <summary>
    /// The alerts that fire in (<paramref name="from"/>, <paramref name="to"/>] and still match the current
    /// records, with what a tick at <paramref name="tickAt"/> would do with each (null: as if every alert
    /// were planned on time, which is what a preview of a future window shows). Reads only that window of the
    /// schedule plus the records it names. Used by the tick and by `dla preview`.
    /// </summary>
    public async Task<List<DueAlert>> DueAsync(Instant from, Instant to, Instant? tickAt = null, CancellationToken ct = default)
    {
        var rows = await schedule.DueAsync(from, to, ct);
        var cache = new RecordCache(records);
        await cache.LoadAsync(rows.Select(r => r.DeadlineId), rows.Select(r => r.SubscriberId), ct);
        var list = new List<DueAlert>();
        foreach (var row in rows.DistinctBy(r => r.Id))
        {
            var deadline = await cache.DeadlineAsync(row.DeadlineId, ct);
            var subscriber = await cache.SubscriberAsync(row.SubscriberId, ct);
            if (!AlertPlanner.StillApplies(row, deadline, subscriber)) continue; // superseded by an edit or extension
            var decision = tickAt is { } at ? TickPolicy.Decide(row, at, ScanPeriod) : TickDecision.Send;
            var late = decision is TickDecision.SendLate or TickDecision.SkipLate;
            list.Add(new DueAlert(row, decision, AlertView.Create(row, deadline!, subscriber!, tickAt ?? row.FireAt, late), subscriber!.Channels));
        }
        return list.OrderBy(d => d.Alert.FireAt).ThenBy(d => d.Alert.SubscriberId, StringComparer.Ordinal).ToList();
    }
}

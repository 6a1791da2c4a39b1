using System.Diagnostics;
using DeadlineAlerts.App.Outbox;
using DeadlineAlerts.Core.Pipeline;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Storage;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Storage.Schedule;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace DeadlineAlerts.App.Scan;

/// <summary>What one tick did. <see cref="Unreadable"/> names the records and schedule rows it had to set aside.</summary>
public sealed record TickResult(Instant? WindowStart, Instant WindowEnd, int Planned, int Skipped, int Late, int Enqueued)
{
    public int Superseded { get; init; }
    /// <summary>Alert rows recorded as acknowledged (the subscriber said Got it for the deadline).</summary>
    public int Acknowledged { get; init; }
    public int Requeued { get; init; }
    public IReadOnlyList<UnreadableRecord> Unreadable { get; init; } = [];
}

/// <summary>One alert that fires in a window, as a person would see it (preview and `dla run` output).</summary>
public sealed record DueAlert(PlannedAlert Alert, TickDecision Decision, AlertMessage View, IReadOnlyList<ChannelSpec> Channels)
{
    /// <summary>Why the subscriber's own say stops it (Got it, or a pause its deadline does not outlast); null: it is not stopped.</summary>
    public DispatchSkip? Stopped { get; init; }
}

/// <summary>A window of the schedule read against the current records: the alerts that still apply, and what could not be read.</summary>
public sealed record DueWindow(IReadOnlyList<DueAlert> Alerts, IReadOnlyList<Dispatch> Failed, IReadOnlyList<UnreadableRecord> Unreadable);

/// <summary>
/// The tick, the producer of lead-time alerts: read the schedule's window <c>(checkpoint, now]</c>, decide what
/// each alert that still applies should do (on time, late, stale, superseded by a later one of the same deadline
/// for the same subscriber), hand the dispatches to the <see cref="Outbox"/>, let the outbox sweep for stranded
/// rows, then move the checkpoint. Each step is safe to repeat: a repeated tick, two ticks at once or a crash
/// between any two steps neither loses an alert nor sends one twice (ledger rows are keyed by the message,
/// inserted only if absent; delivery claims each before it sends; the checkpoint moves last, forward only).
/// A record or schedule row that cannot be read is set aside and named; every other alert goes on.
/// </summary>
public sealed class ScanService(
    StorageClients clients,
    RecordStore records,
    ScheduleIndex schedule,
    Outbox.Outbox outbox,
    TickState state,
    UnreadableRecords unreadableRecords,
    Storage.Acknowledgements.AcknowledgementStore acknowledgements,
    TimeZones.Replanner replanner,
    IClock clock,
    IOptions<AlertsOptions> options,
    ILogger<ScanService> logger,
    AlertMetrics metrics)
{
    private Duration ScanPeriod => Duration.FromTimeSpan(options.Value.ScanPeriod);
    private Duration StaleAfter => Duration.FromTimeSpan(options.Value.StaleAfter);

    public async Task<TickResult> TickAsync(CancellationToken ct = default)
    {
        using var span = AlertMetrics.Source.StartActivity("tick");
        var started = Stopwatch.StartNew();
        var requestsBefore = clients.Requests.Count;
        await EnsurePlannedWithDataInUseAsync(ct);
        var now = clock.GetCurrentInstant();
        var from = await state.HandledUpToAsync(ct);
        if (from is null || from >= now)
        {
            var idle = await outbox.SweepAsync(now, ct: ct);
            return new TickResult(from, now, 0, 0, 0, 0) { Requeued = idle.Requeued };
        }

        var window = new TickWindow(from.Value, now);
        var due = await ReadWindowAsync(window, tickAt: now, ct, extendHorizons: true);
        var dispatches = Decide(due, now).Concat(due.Failed).ToList();
        var submitted = await outbox.SubmitAsync(dispatches, now, ct);
        var sweep = await outbox.SweepAsync(now, ct: ct);

        foreach (var e in submitted.Inserted)
        {
            switch (e.Status)
            {
                case Storage.Ledger.LedgerStatus.Planned:
                    logger.AlertPlanned(e.MessageId, e.DeadlineId, e.SubscriberId, e.LeadTime ?? "", RecordEntities.Iso(e.FireAt));
                    metrics.Planned(e.ChannelType, e.Kind);
                    if (e.Late) logger.AlertLate(e.MessageId, (long)(now - e.FireAt).TotalMilliseconds);
                    break;
                case Storage.Ledger.LedgerStatus.Superseded: logger.AlertSuperseded(e.MessageId, e.LastError ?? ""); break;
                default: logger.AlertSkipped(e.MessageId, e.LastError ?? e.Status.ToString()); break;
            }
        }
        foreach (var u in due.Unreadable) logger.RecordUnreadable(u.RecordKind, u.Id, u.Field, u.Problem);

        // A bad deadline or subscriber is kept for health until it is written again; the tick's own report (the
        // checkpoint row) names the schedule rows it could not read, which nothing rewrites.
        await unreadableRecords.NoteAsync(due.Unreadable, now, ct);
        await state.AdvanceCheckpointAsync(now, submitted.Planned, [.. due.Unreadable.Where(u => !UnreadableRecords.IsRecord(u))], ct);
        var result = new TickResult(from, now,
            submitted.Planned,
            submitted.Inserted.Count(e => e.Status is Storage.Ledger.LedgerStatus.Skipped or Storage.Ledger.LedgerStatus.Failed),
            submitted.Inserted.Count(e => e.Late && e.Status == Storage.Ledger.LedgerStatus.Planned),
            submitted.Queued)
        {
            Superseded = submitted.Inserted.Count(e => e.Status == Storage.Ledger.LedgerStatus.Superseded),
            Acknowledged = submitted.Inserted.Count(e => e.Status == Storage.Ledger.LedgerStatus.Acknowledged),
            Requeued = sweep.Requeued,
            Unreadable = due.Unreadable,
        };
        logger.TickCompleted(started.ElapsedMilliseconds, RecordEntities.Iso(from.Value), RecordEntities.Iso(now), result.Planned,
            clients.Requests.Count - requestsBefore);
        metrics.TickCompleted(started.Elapsed);
        span?.SetTag("deadlinealerts.alerts.planned", result.Planned);
        return result;
    }

    /// <summary>
    /// The first tick of a process whose tz data differs from the one the schedule was planned with re-plans first
    /// (<see cref="TimeZones.Replanner"/>), so this tick already reads the alerts at their new instants. A re-plan
    /// that fails is logged and tried again at the next tick; it never stops this one.
    /// </summary>
    private async Task EnsurePlannedWithDataInUseAsync(CancellationToken ct)
    {
        try { await replanner.EnsureCurrentAsync(ct); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.ReplanFailed(e.GetType().Name, e.Message);
        }
    }

    /// <summary>
    /// Catch-up as a person wants it: of the alerts of one deadline for one subscriber that this tick would send,
    /// the most recent goes (its countdown measured when it is sent) and the others are recorded as superseded; a
    /// late alert past its deadline is skipped, and one whose deadline passed more than StaleAfter ago is stale.
    /// </summary>
    private static IEnumerable<Dispatch> Decide(DueWindow due, Instant now)
    {
        // An alert the subscriber stopped (Got it, a pause) is recorded as such and supersedes nothing.
        var survivors = TickPolicy.Survivors(due.Alerts.Where(d => d.Stopped is null && d.Decision is TickDecision.Send or TickDecision.SendLate).Select(d => d.Alert));
        foreach (var d in due.Alerts)
        {
            var late = d.Decision is not TickDecision.Send;
            var skip = d.Stopped ?? SkipFor(d.Decision, d.Alert, now, survivors);
            foreach (var channel in d.Channels) yield return Dispatch.ForAlert(d.Alert, channel, late, skip);
        }
    }

    /// <summary>Why an alert the tick (or a re-plan) decided on is recorded but not sent; null: it is sent.</summary>
    public static DispatchSkip? SkipFor(TickDecision decision, PlannedAlert alert, Instant now,
        IReadOnlyDictionary<(DeadlineId DeadlineId, SubscriberId SubscriberId), PlannedAlert> survivors) => decision switch
        {
            TickDecision.SkipLate => new(SkipKind.Skipped, "late: the deadline had passed when the alert was planned"),
            TickDecision.SkipStale => new(SkipKind.Skipped,
                $"stale: the deadline passed {Countdown.Words(now - alert.DueAt)} before the alert could be planned, so it was not sent"),
            _ when survivors[(alert.DeadlineId, alert.SubscriberId)] is var kept && kept.Id != alert.Id =>
                new(SkipKind.Superseded, $"superseded: the {kept.LeadTime.Text} alert of the same deadline was sent instead (catch-up after the tick could not run)"),
            _ => null,
        };

    /// <summary>
    /// The alerts that fire in (<paramref name="from"/>, <paramref name="to"/>] and still match the current
    /// records, with what a tick at <paramref name="tickAt"/> would do with each (null: as if every alert
    /// were planned on time, which is what a preview of a future window shows). Reads only that window of the
    /// schedule plus the records it names. Used by `dla preview` and tests; the tick uses <see cref="ReadWindowAsync"/>.
    /// </summary>
    public async Task<List<DueAlert>> DueAsync(Instant from, Instant to, Instant? tickAt = null, CancellationToken ct = default) =>
        [.. (await ReadWindowAsync(new TickWindow(from, to), tickAt, ct)).Alerts];

    /// <param name="extendHorizons">The tick's read (not a preview's): the horizon marks of recurring deadlines in
    /// the window are turned into the alerts of their next occurrences (<see cref="ExtendHorizonsAsync"/>).</param>
    public async Task<DueWindow> ReadWindowAsync(TickWindow window, Instant? tickAt, CancellationToken ct, bool extendHorizons = false)
    {
        var rows = await schedule.DueAsync(window, ct);
        var cache = new RecordCache(records);
        await cache.LoadAsync(rows.Alerts.Select(r => r.DeadlineId).Concat(rows.HorizonMarks.Select(m => m.DeadlineId)), rows.Alerts.Select(r => r.SubscriberId), ct);
        if (extendHorizons && rows.HorizonMarks.Count > 0)
            rows.Alerts.AddRange((await ExtendHorizonsAsync(rows.HorizonMarks, cache, window.UpTo, ct)).Where(a => window.Contains(a.FireAt)));
        // The Got its of the window's alerts: one query per due day among them (after the horizon is extended, so an
        // occurrence planned just now is checked too).
        var acks = await acknowledgements.ForAlertsAsync(rows.Alerts.Select(r => (r.DeadlineId, r.SubscriberId, r.DueAt)), ct);
        var alerts = new List<DueAlert>();
        var failed = new List<Dispatch>();
        var unreadable = rows.UnreadableRows.Select(r => r.Problem).ToList();
        foreach (var row in rows.Alerts.DistinctBy(r => r.Id))
        {
            var deadline = await cache.DeadlineAsync(row.DeadlineId, ct);
            var subscriber = await cache.SubscriberAsync(row.SubscriberId, ct);
            if ((deadline.Problem ?? subscriber.Problem) is { } problem)
            {
                failed.AddRange(FailedDispatches(row, subscriber.Value, problem));
                continue;
            }
            if (!AlertPlanner.StillApplies(row, deadline.Value, subscriber.Value)) continue; // superseded by an edit or extension, or deleted
            var decision = tickAt is { } at ? TickPolicy.Decide(row, at, ScanPeriod, StaleAfter) : TickDecision.Send;
            var late = decision is not TickDecision.Send;
            alerts.Add(new DueAlert(row, decision, new AlertMessage(row, deadline.Value!, subscriber.Value!, tickAt ?? row.FireAt, late), subscriber.Value!.Channels)
            {
                Stopped = StoppedBySubscriber(row, subscriber.Value, acks.GetValueOrDefault((row.DeadlineId, row.SubscriberId, row.DueAt))),
            });
        }
        // A schedule row that cannot be read still names its alert: record that alert as failed, with the reason.
        foreach (var (problem, alertId, deadlineId, subscriberId, fireAt, dueAt, lead) in rows.UnreadableRows)
            if (alertId is not null && deadlineId is not null && subscriberId is not null && fireAt is { } f)
                failed.Add(Unplannable(new MessageId(alertId), deadlineId, subscriberId, f, dueAt ?? f, lead, "-", "-", problem));
        unreadable.AddRange(cache.Unreadable);
        return new DueWindow(alerts.OrderBy(d => d.Alert.FireAt).ThenBy(d => d.Alert.SubscriberId).ToList(),
            failed, unreadable.DistinctBy(u => (u.RecordKind, u.Id)).ToList());
    }

    /// <summary>
    /// The subscriber's own say about an alert: a Got it for its due instant records it as acknowledged; a pause it
    /// falls in and its deadline does not outlast (<see cref="AlertPlanner.PauseHold"/>) records it as skipped.
    /// </summary>
    public static DispatchSkip? StoppedBySubscriber(PlannedAlert alert, Subscriber subscriber, Storage.Acknowledgements.Acknowledgement? ack) =>
        ack is not null && ack.Covers(alert)
            ? new DispatchSkip(SkipKind.Acknowledged, SubscriberControlTexts.AcknowledgedReason(ack.By, RecordEntities.Iso(ack.At), RecordEntities.Iso(ack.DueAt)))
            : AlertPlanner.SkippedByPause(alert, subscriber)
                ? new DispatchSkip(SkipKind.Skipped, SubscriberControlTexts.PausedSkipReason(RecordEntities.Iso(subscriber.PausedUntil!.Value)))
                : null;

    /// <summary>
    /// A recurring deadline's schedule holds its next occurrences only (<see cref="Occurrences.Horizon"/>). When the
    /// tick reaches the horizon's mark (the first of them is due), it plans the horizon as it stands now, for every
    /// follower, and the next mark. Costs one subscriber listing per tick that meets a mark, plus the rows written;
    /// a tick that meets none pays nothing. Occurrences planned this way whose alerts fall in this tick's window
    /// (a tick that could not run for a while) are returned, so this tick decides them like any other.
    /// </summary>
    private async Task<List<PlannedAlert>> ExtendHorizonsAsync(List<(DeadlineId DeadlineId, Instant At)> marks, RecordCache cache, Instant now, CancellationToken ct)
    {
        var subscribers = await records.ListSubscribersAsync(ct);
        var alerts = new List<PlannedAlert>();
        var next = new List<(DeadlineId, Instant)>();
        foreach (var id in marks.Select(m => m.DeadlineId).Distinct())
        {
            if ((await cache.DeadlineAsync(id, ct)).Value is not { } deadline) continue; // deleted, or unreadable (named by its alerts)
            alerts.AddRange(subscribers.SelectMany(s => AlertPlanner.Plan(deadline, s, now)));
            if (Occurrences.HorizonMark(deadline, now) is { } at) next.Add((deadline.Id, at));
        }
        alerts = alerts.DistinctBy(a => a.Id).ToList();
        if (alerts.Count > 0) await schedule.AddAsync(alerts, ct);
        if (next.Count > 0) await schedule.AddHorizonMarksAsync(next, ct);
        logger.HorizonExtended(next.Count, alerts.Count);
        return alerts;
    }

    /// <summary>An alert whose deadline or subscriber cannot be read fails on every channel we know of (none known: one row for "-").</summary>
    private static IEnumerable<Dispatch> FailedDispatches(PlannedAlert row, Subscriber? subscriber, UnreadableRecord problem) =>
        subscriber is { Channels.Count: > 0 } s
            ? s.Channels.Select(c => Unplannable(row.Id, row.DeadlineId, row.SubscriberId, row.FireAt, row.DueAt, row.LeadTime.Text, c.Id, c.Type, problem))
            : [Unplannable(row.Id, row.DeadlineId, row.SubscriberId, row.FireAt, row.DueAt, row.LeadTime.Text, "-", "-", problem)];

    private static Dispatch Unplannable(MessageId id, DeadlineId deadlineId, SubscriberId subscriberId, Instant fireAt, Instant dueAt, string? lead,
        ChannelId channelId, string channelType, UnreadableRecord problem) => new()
        {
            MessageId = id,
            Kind = MessageKind.Alert,
            DeadlineId = deadlineId,
            SubscriberId = subscriberId,
            ChannelId = channelId,
            ChannelType = channelType,
            SendAt = fireAt,
            DueAt = dueAt,
            KeyAt = fireAt,
            LeadTime = lead,
            Skip = new DispatchSkip(SkipKind.Unreadable, $"unreadable {problem}"),
        };
}

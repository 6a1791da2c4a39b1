using DeadlineAlerts.App.Milestones;
using DeadlineAlerts.Core.Pipeline;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Core.Time;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Storage.Schedule;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace DeadlineAlerts.App.TimeZones;

/// <summary>A deadline whose local due time means another instant under the tz data in use.</summary>
public sealed record MovedDeadline(DeadlineId DeadlineId, string Zone, Instant Was, Instant Now, int NoticesQueued);

/// <summary>What a re-plan did. <see cref="From"/> is null when the schedule's version was not recorded.</summary>
public sealed record ReplanResult(string? From, string To, IReadOnlyList<MovedDeadline> Moved, int AlertsScheduled, int SentNow,
    int AlreadySent, int Skipped);

/// <summary>
/// Keeps the schedule planned with the tz data in use. Stored records keep the instants computed when they were
/// written, and a tick sends only the schedule rows that match a re-computation, so without this a change of
/// rules (a NodaTime upgrade, a newer <c>DeadlineAlerts__TimeZoneData</c> file) would silently drop every future
/// alert of an affected zone. The installation records the version it planned with (<see cref="TickState"/>);
/// the first tick of a process that runs other data (or <c>dla replan</c>) re-plans every future alert of every
/// active deadline and subscriber:
/// <list type="bullet">
/// <item>A deadline whose local due time now means another instant is moved (history, audit and a change notice
/// to every follower by actor <c>tzdb</c>, quiet hours honoured as for other notices).</item>
/// <item>An alert that the tick has not reached yet (its row in force lies after the checkpoint) fires at its new
/// instant; one whose new instant has already gone by is sent now (late, by the tick's rules), so none is lost.</item>
/// <item>An alert already sent at its old instant whose new instant lies ahead is recorded as cancelled ("already
/// sent"), so none goes twice.</item>
/// </list>
/// Schedule rows are only added, as everywhere; rows of the old instants no longer match the records. The version
/// is recorded last, so a re-plan cut short runs again at the next tick (each step is idempotent: ledger rows are
/// inserted if absent, notices have deterministic ids, a moved deadline is recognised by its history entry).
/// Cost: one read of every record and of the future schedule, once per tz data change.
/// </summary>
public sealed class Replanner(
    RecordStore records,
    ScheduleIndex schedule,
    TickState state,
    Outbox.Outbox outbox,
    MilestoneService milestones,
    AuditLog audit,
    TimeZoneData tzdata,
    IClock clock,
    IOptions<AlertsOptions> options,
    ILogger<Replanner> logger)
{
    public const string Actor = "tzdb";

    private volatile bool _current;

    /// <summary>The tz data version in use.</summary>
    public string InUse => tzdata.Version;

    /// <summary>
    /// Re-plans when the installation's schedule was planned with other tz data than this process runs (or with
    /// an unrecorded version); otherwise nothing, and after one check per process nothing at all.
    /// </summary>
    public async Task<ReplanResult?> EnsureCurrentAsync(CancellationToken ct = default)
    {
        if (_current) return null;
        var (planned, stored) = await state.PlannedTzdbAsync(ct);
        if (!stored) return null; // nothing planned yet: the first store records the version it planned with
        if (planned == tzdata.Version) { _current = true; return null; }
        var result = await ReplanAsync(planned, ct);
        _current = true;
        return result;
    }

    /// <summary>The version the installation's schedule was planned with (null: not recorded).</summary>
    public async Task<string?> PlannedAsync(CancellationToken ct = default) => (await state.PlannedTzdbAsync(ct)).Version;

    /// <summary>Re-plans every future alert with the tz data in use; <paramref name="from"/> names the version planned before.</summary>
    public async Task<ReplanResult> ReplanAsync(string? from, CancellationToken ct = default)
    {
        var now = clock.GetCurrentInstant();
        var to = tzdata.Version;
        var reason = Reason(from, to);
        var (plans, moved, handled, pending, rows) = await PlanAsync(reason, now, ct);

        var toSchedule = new List<PlannedAlert>();
        var alreadySent = new List<Dispatch>();
        var overdue = new List<(PlannedAlert Alert, Subscriber Subscriber)>();
        foreach (var (_, s, a, before) in plans)
        {
            var wasPending = pending.Contains(before.Value);
            if (a.FireAt > handled)
            {
                if (wasPending) { if (!rows.Contains((a.Id.Value, a.FireAt))) toSchedule.Add(a); }
                else alreadySent.AddRange(s.Channels.Select(c => Dispatch.ForAlert(a, c, late: false)));
            }
            else if (wasPending) overdue.Add((a, s));
        }

        // 1. Alerts sent at their old instant whose new one lies ahead: recorded, never sent again.
        var sentBefore = await outbox.CancelAsync(alreadySent,
            $"already sent at its earlier instant before the time zone rules changed ({reason})", now, ct);

        // 2. Deadlines whose due instant moved: history, audit, schedule rows of the new instant, notices.
        var movedDone = new List<MovedDeadline>();
        foreach (var (before, due) in moved)
        {
            var current = await records.GetDeadlineAsync(before.Id, ct);
            if (current is null || current.Value.Due.Instant != before.Due.Instant) continue; // changed meanwhile: that write planned it
            try
            {
                var r = await milestones.ZoneRulesChangedAsync(current, due, reason, ct);
                movedDone.Add(new MovedDeadline(before.Id, due.Zone.Id, before.Due.Instant, due.Instant, r.NoticesQueued));
                logger.DeadlineMovedByZoneRules(before.Id, due.Zone.Id, TimeText.Iso(before.Due.Instant), TimeText.Iso(due.Instant), reason);
            }
            catch (MilestoneException e) when (e.Failure is MilestoneFailure.Stale or MilestoneFailure.NotFound)
            {
                // Edited or deleted since it was read: the write that did it planned its alerts with the data in use.
            }
        }

        // 3. Alerts of unmoved deadlines at new instants (a moved deadline's were written with its record).
        var movedIds = moved.Select(m => m.Before.Id).ToHashSet();
        var unmovedRows = toSchedule.Where(a => !movedIds.Contains(a.DeadlineId)).ToList();
        if (unmovedRows.Count > 0) await schedule.AddAsync(unmovedRows, ct);

        // 4. Alerts the tick had still to send whose new instant has gone by: now, by the tick's rules (late, stale, catch-up).
        var scanPeriod = Duration.FromTimeSpan(options.Value.ScanPeriod);
        var staleAfter = Duration.FromTimeSpan(options.Value.StaleAfter);
        var decided = overdue.Select(o => (o.Alert, o.Subscriber, Decision: TickPolicy.Decide(o.Alert, now, scanPeriod, staleAfter))).ToList();
        var survivors = TickPolicy.Survivors(decided.Where(d => d.Decision is TickDecision.Send or TickDecision.SendLate).Select(d => d.Alert));
        var dispatches = decided.SelectMany(d =>
        {
            var skip = Scan.ScanService.SkipFor(d.Decision, d.Alert, now, survivors);
            return d.Subscriber.Channels.Select(c => Dispatch.ForAlert(d.Alert, c, late: d.Decision is not TickDecision.Send, skip));
        }).ToList();
        var submitted = dispatches.Count > 0 ? await outbox.SubmitAsync(dispatches, now, ct) : null;

        var result = new ReplanResult(from, to, movedDone, toSchedule.Count, submitted?.Planned ?? 0, sentBefore,
            dispatches.Count - (submitted?.Planned ?? 0));
        await audit.AppendAsync(new AuditEntry
        {
            At = now,
            Actor = Actor,
            Action = "replanned",
            RecordKind = "installation",
            RecordId = "schedule",
            Summary = Summary(result, reason),
        }, ct);
        await state.NotePlannedTzdbAsync(to, now, ct);
        logger.Replanned(from ?? "unrecorded", to, movedDone.Count, result.AlertsScheduled, result.SentNow, result.AlreadySent);
        return result;
    }

    private static string Reason(string? from, string to) =>
        from is null ? $"tz data {to}; the version planned before was not recorded" : $"tz data {from} → {to}";

    /// <summary>
    /// The alerts a tick would send in (<paramref name="from"/>, <paramref name="to"/>] once the schedule is re-planned
    /// with the tz data in use: each alert still to come, at the instant its deadline's local time now means. Reads
    /// only; nothing is moved, written or sent (`dla preview` before the first tick after a tz data change).
    /// </summary>
    public async Task<List<(Deadline Deadline, Subscriber Subscriber, PlannedAlert Alert)>> PreviewAsync(Instant from, Instant to, CancellationToken ct = default)
    {
        var (plans, _, _, pending, _) = await PlanAsync(Reason(await PlannedAsync(ct), tzdata.Version), clock.GetCurrentInstant(), ct);
        return plans
            .Where(p => p.Alert.FireAt > from && p.Alert.FireAt <= to && pending.Contains(p.Before.Value))
            .Select(p => (p.Deadline, p.Subscriber, p.Alert))
            .OrderBy(p => p.Alert.FireAt).ThenBy(p => p.Subscriber.Id)
            .ToList();
    }

    /// <summary>
    /// Every future alert as the tz data in use plans it, each with the id that was in force before; the deadlines
    /// whose due instant moved; the checkpoint; and which old ids (and rows) the tick has still to reach.
    /// </summary>
    private async Task<(List<(Deadline Deadline, Subscriber Subscriber, PlannedAlert Alert, MessageId Before)> Plans,
        List<(Deadline Before, DueTime Due)> Moved, Instant Handled, HashSet<string> Pending, HashSet<(string, Instant)> Rows)>
        PlanAsync(string reason, Instant now, CancellationToken ct)
    {
        // Up to here the tick has read the schedule: rows after it are still to come, rows at or before it were handled.
        var handled = await state.HandledUpToAsync(ct) ?? now;

        // A record that cannot be read is named and left out: its next write plans it with the data in use.
        var unreadable = new List<UnreadableRecord>();
        var deadlines = await records.ListDeadlinesAsync(unreadable, ct);
        var subscribers = await records.ListSubscribersAsync(unreadable, ct);
        foreach (var u in unreadable) logger.RecordUnreadable(u.RecordKind, u.Id, u.Field, u.Problem);

        // The alerts as the tz data in use plans them, each with the id that was in force before.
        var plans = new List<(Deadline Deadline, Subscriber Subscriber, PlannedAlert Alert, MessageId Before)>();
        var moved = new List<(Deadline Before, DueTime Due)>();
        foreach (var stored in deadlines.Where(d => d.Status == DeadlineStatus.Active))
        {
            var due = stored.Due.UnderCurrentRules();
            var deadline = due.Instant == stored.Due.Instant ? stored : stored with { Due = due };
            if (due.Instant != stored.Due.Instant) moved.Add((stored, due));
            // A re-plan cut short after moving the record: the id in force before is the one of its entry's old instant.
            var before = stored.History is [.., { Kind: ChangeKind.ZoneRules } h] && h.NewDue.Instant == stored.Due.Instant && h.Reason == reason
                ? h.OldDue.Instant
                : stored.Due.Instant;
            foreach (var s in subscribers)
            {
                // A recurring deadline's occurrences are resolved with the tz data in use whenever they are planned, so
                // its horizon is simply planned again (an occurrence whose instant moved gets new ids, as after an edit).
                if (deadline.Recurrence is not null)
                {
                    foreach (var a in AlertPlanner.Plan(deadline, s, now)) plans.Add((deadline, s, a, a.Id));
                    continue;
                }
                foreach (var a in AlertPlanner.Plan(deadline, s))
                    plans.Add((deadline, s, a, MessageId.ForAlert(deadline.Id, before, s.Id, a.LeadTime)));
            }
        }

        // Which alerts the tick has still to reach: those with a schedule row after the checkpoint.
        var until = plans.Count == 0 ? handled + Duration.FromDays(1) : Instant.Max(plans.Max(p => p.Alert.FireAt), handled) + Duration.FromDays(2);
        var future = await schedule.DueAsync(new TickWindow(handled, until), ct);
        var pending = future.Alerts.Select(r => r.Id.Value).ToHashSet();
        var rows = future.Alerts.Select(r => (r.Id.Value, r.FireAt)).ToHashSet();
        return (plans, moved, handled, pending, rows);
    }

    private static string Summary(ReplanResult r, string reason)
    {
        var moved = r.Moved.Count == 0
            ? "no deadline's due instant moved"
            : $"{r.Moved.Count} deadline{(r.Moved.Count == 1 ? "" : "s")} moved: "
              + string.Join(", ", r.Moved.Select(m => $"{m.DeadlineId} ({m.Zone}, {TimeText.Iso(m.Was)} → {TimeText.Iso(m.Now)})"));
        return $"re-planned every future alert with {reason}; {moved}; {r.AlertsScheduled} alerts at new instants, "
               + $"{r.SentNow} sent at once (their new instant had passed), {r.AlreadySent} already sent at their earlier instant";
    }
}

using Azure;
using DeadlineAlerts.App.Records;
using DeadlineAlerts.Core.Pipeline;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Core.Time;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Ledger;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Storage.Schedule;
using NodaTime;

namespace DeadlineAlerts.App.Milestones;

/// <summary>What a milestone command did. <see cref="Change"/> is null when the request changed nothing.</summary>
public sealed record MilestoneResult(Stored<Deadline> Deadline, HistoryEntry? Change, int NoticesQueued, int AlertsCancelled, int AlertsScheduled,
    string? Warning = null)
{
    public bool Changed => Change is not null;
}

public enum MilestoneFailure { NotFound, Stale, BadRequest, Conflict }

/// <summary>
/// A milestone command refused: unknown id, a stale If-Match (<see cref="Current"/> holds the record as it is
/// now), a bad field (<see cref="Field"/>, <see cref="Value"/>), or a change the deadline's status forbids.
/// </summary>
public sealed class MilestoneException(MilestoneFailure failure, string message, Stored<Deadline>? current = null, string? field = null, string? value = null)
    : Exception(message)
{
    public MilestoneFailure Failure { get; } = failure;
    public Stored<Deadline>? Current { get; } = current;
    public string? Field { get; } = field;
    public string? Value { get; } = value;
}

/// <summary>
/// Extend (or move earlier), resolve and cancel a deadline. Each keeps the deadline's id, appends a
/// <see cref="HistoryEntry"/>, and then, in this order:
/// <list type="number">
/// <item>writes the schedule rows of the new due instant (before the record, as import does: a crash leaves
/// only rows that match no record);</item>
/// <item>replaces the record, conditional on the ETag it was read with (or the caller's If-Match);</item>
/// <item>cancels the old due instant's alerts that were not sent: planned or retrying ledger rows become
/// "cancelled", and rows are written as "cancelled" for alerts that had no row yet, so `dla alerts` shows
/// them and no later tick queues them;</item>
/// <item>plans one notice per channel of every subscriber who follows the deadline (deterministic id per
/// change and subscriber) and queues it at once, not at the next tick;</item>
/// <item>appends an audit entry.</item>
/// </list>
/// Steps 3 and 4 are idempotent, and a request repeated after a crash (same new due, or the same status)
/// runs them again for the latest history entry: whatever was missing is written, nothing is sent twice.
/// </summary>
public sealed class MilestoneService(
    RecordStore records,
    RecordWriter writer,
    Outbox.Outbox outbox,
    IClock clock)
{
    /// <summary>
    /// Moves the due time to <paramref name="to"/>, a local date-time in <paramref name="zone"/> (the deadline's
    /// own zone when null), read with the import's rules (<see cref="DueTime.Parse"/>: a gap moves forward, an
    /// overlap takes the earlier instant unless an offset picks one). Later is an extension, earlier a move.
    /// </summary>
    public async Task<MilestoneResult> ExtendAsync(string id, string? to, string? zone, string? reason, string actor, ETag? ifMatch = null,
        CancellationToken ct = default)
    {
        var stored = await ReadAsync(id, ifMatch, ct);
        var old = stored.Value;
        var tz = old.Due.Zone;
        if (zone is not null)
        {
            if (Zones.Problem(zone) is { } zoneProblem)
                throw new MilestoneException(MilestoneFailure.BadRequest, $"deadline {id}: timeZone \"{zone}\" {zoneProblem}", field: "timeZone", value: zone);
            tz = Zones.Find(zone)!;
        }
        var parsed = DueTime.Parse(to, tz);
        if (parsed.Value is not { } due)
            throw new MilestoneException(MilestoneFailure.BadRequest, $"deadline {id}: to \"{to}\" {parsed.Problem}", field: "to", value: to);
        if (old.Status != DeadlineStatus.Active)
            throw new MilestoneException(MilestoneFailure.Conflict,
                $"deadline {id} is {old.Status.ToString().ToLowerInvariant()}; only an active deadline can be extended or moved (change its status by import or PUT first)", stored);

        if (old.Recurrence is not null)
        {
            // A recurring deadline: an extension moves its next occurrence only (the rule, and so every later one, stays).
            var next = NextOccurrence(stored);
            if (due.Instant == next.Due.Instant) return new MilestoneResult(stored, null, 0, 0, 0, parsed.Warning);
            return await ApplyAsync(stored, due.Instant > next.Due.Instant ? ChangeKind.Extended : ChangeKind.MovedEarlier, due, reason, actor,
                parsed.Warning, ct, next);
        }

        if (due.Instant == old.Due.Instant)
        {
            var last = old.History.Count > 0 ? old.History[^1] : null;
            return last is { Kind: ChangeKind.Extended or ChangeKind.MovedEarlier } && last.NewDue.Instant == due.Instant
                ? await FinishAsync(stored, Before(old, last), last, 0, ct) with { Change = null, Warning = parsed.Warning }
                : new MilestoneResult(stored, null, 0, 0, 0, parsed.Warning);
        }

        var kind = due.Instant > old.Due.Instant ? ChangeKind.Extended : ChangeKind.MovedEarlier;
        return await ApplyAsync(stored, kind, due, reason, actor, parsed.Warning, ct);
    }

    /// <summary>
    /// The tz data in use resolves the deadline's local due time to <paramref name="due"/>, another instant than the
    /// stored one: records the move (history and audit by <c>tzdb</c>, <paramref name="reason"/> naming both tz data
    /// versions), plans the alerts of the new instant and tells every follower. The alerts of the old instant are
    /// not cancelled one by one: they no longer match the record, so no tick sends them; which of the new instant's
    /// alerts go (and which were already sent at the old one) is the <see cref="TimeZones.Replanner"/>'s decision.
    /// Unlike an extension, the arming moment stays: the operator did not set a new time.
    /// </summary>
    public async Task<MilestoneResult> ZoneRulesChangedAsync(Stored<Deadline> stored, DueTime due, string reason, CancellationToken ct = default) =>
        await ApplyAsync(stored, ChangeKind.ZoneRules, due, reason, TimeZones.Replanner.Actor, null, ct);

    /// <summary>
    /// Marks the deadline met, agreed or no longer pending: no further lead-time alerts; a short notice. For a recurring
    /// deadline this is its next occurrence only (<see cref="Occurrences.Next"/>; the one after keeps its alerts), unless
    /// <paramref name="series"/>: then the whole series, as for a one-off deadline.
    /// </summary>
    public Task<MilestoneResult> ResolveAsync(string id, string? reason, string actor, ETag? ifMatch = null, bool series = false, CancellationToken ct = default) =>
        SetStatusAsync(id, DeadlineStatus.Resolved, ChangeKind.Resolved, reason, actor, ifMatch, series, ct);

    /// <summary>Calls the deadline off: no further lead-time alerts; a short notice. For a recurring deadline as <see cref="ResolveAsync"/>: the next occurrence, or with <paramref name="series"/> all of them.</summary>
    public Task<MilestoneResult> CancelAsync(string id, string? reason, string actor, ETag? ifMatch = null, bool series = false, CancellationToken ct = default) =>
        SetStatusAsync(id, DeadlineStatus.Cancelled, ChangeKind.Cancelled, reason, actor, ifMatch, series, ct);

    private async Task<MilestoneResult> SetStatusAsync(string id, DeadlineStatus status, string kind, string? reason, string actor, ETag? ifMatch,
        bool series, CancellationToken ct)
    {
        var stored = await ReadAsync(id, ifMatch, ct);
        var old = stored.Value;
        if (old.Recurrence is not null && !series && old.Status == DeadlineStatus.Active)
        {
            var next = NextOccurrence(stored);
            return await ApplyAsync(stored, kind, next.Due, reason, actor, null, ct, next);
        }
        if (old.Status == status)
        {
            var last = old.History.Count > 0 ? old.History[^1] : null;
            return last?.Kind == kind
                ? await FinishAsync(stored, Before(old, last), last, 0, ct) with { Change = null }
                : new MilestoneResult(stored, null, 0, 0, 0);
        }
        return await ApplyAsync(stored, kind, old.Due, reason, actor, null, ct);
    }

    /// <summary>The occurrence that "resolve", "cancel" and "extend" act on: the next one not yet decided.</summary>
    private Deadline NextOccurrence(Stored<Deadline> stored) =>
        Occurrences.Next(stored.Value, clock.GetCurrentInstant())
        ?? throw new MilestoneException(MilestoneFailure.Conflict,
            $"deadline {stored.Value.Id}: its series ({stored.Value.Recurrence}) has no further occurrence; resolve or cancel the series (--series) instead", stored);

    /// <param name="occurrence">For a change to one occurrence of a recurring deadline: that occurrence (an instance
    /// from <see cref="Occurrences"/>). The record keeps its due time, rule and status; the history entry names the
    /// occurrence, which leaves it out of the series (resolved, cancelled) or moves it (extended, moved earlier).</param>
    private async Task<MilestoneResult> ApplyAsync(Stored<Deadline> stored, string kind, DueTime due, string? reason, string actor, string? warning,
        CancellationToken ct, Deadline? occurrence = null)
    {
        var now = clock.GetCurrentInstant();
        var old = stored.Value;
        if (reason is not null && TextRules.Problem(reason.Trim(), TextRules.Limits.Reason) is { } reasonProblem)
            throw new MilestoneException(MilestoneFailure.BadRequest, $"deadline {old.Id}: reason {reasonProblem}; nothing was changed",
                field: "reason", value: TextRules.Excerpt(reason));
        var change = new HistoryEntry
        {
            Id = HistoryEntry.IdFor(old.Id, old.History.Count, kind, due.Instant),
            At = now,
            By = actor,
            Kind = kind,
            OldDue = occurrence?.Due ?? old.Due,
            NewDue = due,
            Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(),
            Occurrence = occurrence?.OccurrenceOf,
        };
        var updated = occurrence is not null ? old with { History = [.. old.History, change] } : old with
        {
            Due = due,
            // A new due instant is armed now: its alerts that would have fired before this moment are stale.
            ArmedAt = due.Instant == old.Due.Instant || kind == ChangeKind.ZoneRules ? old.ArmedAt : now,
            Status = kind switch { ChangeKind.Resolved => DeadlineStatus.Resolved, ChangeKind.Cancelled => DeadlineStatus.Cancelled, _ => old.Status },
            History = [.. old.History, change],
        };

        var subscribers = await records.ListSubscribersAsync(ct);
        RecordWrite<ETag> write;
        try
        {
            write = await writer.WriteAsync([new DeadlineChange(old, updated, kind) { Summary = Summary(change) }], [], actor,
                c => records.ReplaceDeadlineAsync(updated, stored.ETag, c), allSubscribers: subscribers.ToDictionary(s => s.Id), ct: ct);
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            var current = await records.GetDeadlineAsync(old.Id, ct);
            if (current is null) throw new MilestoneException(MilestoneFailure.NotFound, $"deadline {old.Id} was deleted meanwhile");
            throw new MilestoneException(MilestoneFailure.Stale, $"deadline {old.Id} was changed by someone else meanwhile; read it again and retry", current);
        }
        var result = await FinishAsync(new Stored<Deadline>(updated, write.Result), occurrence ?? old, change, write.AlertsScheduled, ct, subscribers);
        return result with { Warning = warning };
    }

    /// <summary>Cancels what <paramref name="before"/> would still have sent and notifies every follower of <paramref name="change"/>.</summary>
    private async Task<MilestoneResult> FinishAsync(Stored<Deadline> after, Deadline before, HistoryEntry change, int scheduled, CancellationToken ct,
        IReadOnlyList<Subscriber>? subscribers = null)
    {
        var now = clock.GetCurrentInstant();
        subscribers ??= await records.ListSubscribersAsync(ct);
        var followers = subscribers.Where(s => s.Follows(after.Value)).ToList();

        var reason = $"cancelled: the deadline was {change.Kind} at {TimeText.Iso(change.At)} by {change.By}";
        // One occurrence's alerts when the change was to that occurrence, else every alert the record had planned.
        IEnumerable<PlannedAlert> Planned(Subscriber s) => before.OccurrenceOf is not null ? AlertPlanner.Plan(before, s) : AlertPlanner.Plan(before, s, now);
        var old = change.Kind == ChangeKind.ZoneRules ? []
            : followers.SelectMany(s => Planned(s).SelectMany(a => s.Channels.Select(c => Dispatch.ForAlert(a, c, late: false)))).ToList();
        // Quiet hours hold a notice no later than the due time it reports (of the occurrence, for a recurring deadline).
        var about = change.Occurrence is null ? after.Value : after.Value with { Due = change.NewDue };
        var cancelled = await outbox.CancelAsync(old, reason, now, ct);

        // A notice is urgent: it passes through quiet hours and a pause unless the subscriber said "urgent": false, and
        // then it is planned for the end of the pause or quiet period; the outbox's sweep queues it when that instant comes.
        var notices = followers.SelectMany(s => s.Channels.Select(c =>
        {
            var sendAt = AlertPlanner.NoticeSendAt(change.At, about, s);
            return new Dispatch
            {
                MessageId = change.NoticeIdFor(after.Value.Id, s.Id),
                Kind = MessageKind.Notice,
                DeadlineId = after.Value.Id,
                SubscriberId = s.Id,
                ChannelId = c.Id,
                ChannelType = c.Type,
                ChannelBroken = c.BrokenReason,
                Ref = change.Id,
                SendAt = sendAt,
                KeyAt = sendAt,
                DueAt = change.NewDue.Instant,
            };
        })).ToList();
        var submitted = await outbox.SubmitAsync(notices, now, ct);
        var inserted = submitted.Inserted.Where(e => e.Status == LedgerStatus.Planned).ToList();
        return new MilestoneResult(after, change, inserted.Count, cancelled, scheduled);
    }

    private async Task<Stored<Deadline>> ReadAsync(string id, ETag? ifMatch, CancellationToken ct)
    {
        var stored = await records.GetDeadlineAsync(id, ct)
                     ?? throw new MilestoneException(MilestoneFailure.NotFound, $"deadline {id} does not exist; `dla deadlines` lists the ids");
        if (ifMatch is { } expected && expected != ETag.All && expected != stored.ETag)
            throw new MilestoneException(MilestoneFailure.Stale, $"deadline {id} was changed since it was read; read it again and retry", stored);
        return stored;
    }

    /// <summary>The deadline as it was before <paramref name="change"/> (for re-running an interrupted change).</summary>
    private static Deadline Before(Deadline current, HistoryEntry change) => current with
    {
        Due = change.OldDue,
        Status = DeadlineStatus.Active,
        History = current.History.Take(current.History.Count - 1).ToList(),
    };

    private static string Summary(HistoryEntry c)
    {
        var zone = c.NewDue.Zone;
        if (c.Kind == ChangeKind.ZoneRules)
            return $"time zone rules for {zone.Id} changed ({c.Reason}): due {TimeText.Full(c.NewDue.Instant, zone)} as before, "
                   + $"which is now {TimeText.Iso(c.NewDue.Instant)}, was {TimeText.Iso(c.OldDue.Instant)}";
        var text = c.OldDue.Instant == c.NewDue.Instant
            ? $"{c.Kind}; was due {TimeText.Full(c.OldDue.Instant, c.OldDue.Zone)}"
            : $"{c.Kind} by {MessageView.ShiftWords(c.OldDue.Instant, c.NewDue.Instant, zone)}: due {TimeText.Full(c.OldDue.Instant, c.OldDue.Zone)} → {TimeText.Full(c.NewDue.Instant, zone)}";
        return c.Reason is null ? text : $"{text}; reason: {c.Reason}";
    }
}

using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using NodaTime;

namespace DeadlineAlerts.Core.Schedule;

/// <summary>
/// The occurrences of a recurring deadline, each a deadline instance of its own: the stored record with
/// <see cref="Deadline.Due"/> set to that occurrence's due time and <see cref="Deadline.OccurrenceOf"/> naming it.
/// Everything that works on one deadline (alert planning, countdowns, messages) works on an instance unchanged.
/// <list type="bullet">
/// <item>Per-occurrence changes live in the deadline's history (<see cref="HistoryEntry.Occurrence"/>), so nothing needs a
/// table of its own: a resolved or cancelled occurrence is left out (RFC 5545 EXDATE), an extended or moved one is due at
/// its new time (a RECURRENCE-ID override).</item>
/// <item>An occurrence is armed (<see cref="Deadline.ArmedAt"/>) when the one before it is due (and a moved one when it was
/// moved): a daily deadline with a P7D lead time does not send seven overlapping "n days left" alerts, and the schedule's
/// rolling horizon (<see cref="Horizon"/>) always holds an occurrence before its alerts can fire.</item>
/// </list>
/// For a deadline without a rule the one instance is the deadline itself.
/// </summary>
public static class Occurrences
{
    /// <summary>The schedule holds at most this many occurrences of a series ahead of now …</summary>
    public const int HorizonCount = 2;

    /// <summary>… and none due further ahead than this (a yearly deadline: one at a time).</summary>
    public static readonly Duration HorizonSpan = Duration.FromDays(366);

    private sealed record Change(bool Removed, HistoryEntry? Moved);

    /// <summary>The occurrences of the series whose alerts the schedule should hold at <paramref name="now"/>: the next
    /// <see cref="HorizonCount"/> due after now, those within <see cref="HorizonSpan"/>.</summary>
    public static IReadOnlyList<Deadline> Horizon(Deadline d, Instant now) =>
        d.Recurrence is null ? [d] : After(d, now).Take(HorizonCount).TakeWhile(i => i.Due.Instant <= now + HorizonSpan).ToList();

    /// <summary>
    /// When the tick should next extend the horizon planned at <paramref name="now"/>: the due instant of its first
    /// occurrence (once it has passed, the next two are those after it), or, when the next occurrence lies beyond
    /// <see cref="HorizonSpan"/>, the moment it comes within it. Null for a one-off deadline, one that is not active,
    /// or a series that has ended.
    /// </summary>
    public static Instant? HorizonMark(Deadline d, Instant now)
    {
        if (d.Recurrence is null || d.Status != DeadlineStatus.Active) return null;
        if (After(d, now).FirstOrDefault() is not { } next) return null;
        return next.Due.Instant <= now + HorizonSpan ? next.Due.Instant : next.Due.Instant - HorizonSpan;
    }

    /// <summary>
    /// The occurrence a person means by "the next one" at <paramref name="now"/>: the first not resolved or cancelled
    /// whose due time is not more than <see cref="Countdown.DueNowTolerance"/> past. Null when the series has ended.
    /// For a deadline without a rule: the deadline itself.
    /// </summary>
    public static Deadline? Next(Deadline d, Instant now) =>
        d.Recurrence is null ? d : After(d, now - Countdown.DueNowTolerance).FirstOrDefault();

    /// <summary>The occurrence that is due at <paramref name="dueAt"/> (after any move), or null when the series has none.</summary>
    public static Deadline? At(Deadline d, Instant dueAt)
    {
        if (d.Recurrence is not { } rule) return d.Due.Instant == dueAt ? d : null;
        var changes = Changes(d);
        foreach (var (original, change) in changes)
            if (!change.Removed && change.Moved is { } m && m.NewDue.Instant == dueAt && RawAt(d, rule, original) is { } raw)
                return Instance(d, raw.Due, raw.Previous, m);
        var hit = RawAt(d, rule, dueAt);
        if (hit is null || changes.ContainsKey(dueAt)) return null;
        return Instance(d, hit.Value.Due, hit.Value.Previous, null);
    }

    /// <summary>Every occurrence due after <paramref name="after"/>, in due order; lazy (a rule without COUNT or UNTIL never ends).</summary>
    public static IEnumerable<Deadline> After(Deadline d, Instant after)
    {
        if (d.Recurrence is not { } rule)
        {
            if (d.Due.Instant > after) yield return d;
            yield break;
        }
        var changes = Changes(d);
        var moved = new List<Deadline>();
        foreach (var (original, change) in changes)
            if (!change.Removed && change.Moved is { } m && m.NewDue.Instant > after && RawAt(d, rule, original) is { } raw)
                moved.Add(Instance(d, raw.Due, raw.Previous, m));
        var pending = new Queue<Deadline>(moved.OrderBy(i => i.Due.Instant));

        // Start a day early in local time: around a clock change local order and instant order can differ by the gap.
        var fromLocal = after.InZone(d.Due.Zone).LocalDateTime.PlusDays(-1);
        Instant? previous = null;
        var first = true;
        foreach (var due in rule.DueTimesFrom(d.Due, fromLocal))
        {
            if (first)
            {
                previous = PreviousRaw(d, rule, due.Local);
                first = false;
            }
            var prev = previous;
            previous = due.Instant;
            if (due.Instant <= after || changes.ContainsKey(due.Instant)) continue;
            while (pending.Count > 0 && pending.Peek().Due.Instant <= due.Instant) yield return pending.Dequeue();
            yield return Instance(d, due, prev, null);
        }
        while (pending.Count > 0) yield return pending.Dequeue();
    }

    /// <summary>
    /// The occurrences changed one by one, in the order of their original due times: each with the due time the rule
    /// gives it (RFC 5545's RECURRENCE-ID or EXDATE value) and, for a moved one, its new due time; null for one left
    /// out (resolved or cancelled). Empty for a deadline without a rule.
    /// </summary>
    public static IReadOnlyList<(DueTime Original, DueTime? MovedTo)> Exceptions(Deadline d)
    {
        if (d.Recurrence is not { } rule) return [];
        var list = new List<(DueTime, DueTime?)>();
        foreach (var (original, change) in Changes(d).OrderBy(c => c.Key))
            if (RawAt(d, rule, original) is { } raw && (change.Removed || change.Moved is not null))
                list.Add((raw.Due, change.Removed ? null : change.Moved!.NewDue));
        return list;
    }

    private static Dictionary<Instant, Change> Changes(Deadline d)
    {
        var changes = new Dictionary<Instant, Change>();
        foreach (var h in d.History)
        {
            if (h.Occurrence is not { } occurrence) continue;
            changes[occurrence] = h.Kind switch
            {
                ChangeKind.Resolved or ChangeKind.Cancelled => new Change(true, null),
                ChangeKind.Extended or ChangeKind.MovedEarlier => new Change(false, h),
                _ => changes.GetValueOrDefault(occurrence) ?? new Change(false, null),
            };
        }
        return changes;
    }

    private static Deadline Instance(Deadline d, DueTime original, Instant? previous, HistoryEntry? moved)
    {
        var armed = d.ArmedAt;
        if (previous is { } p && p > armed) armed = p;
        if (moved is not null && moved.At > armed) armed = moved.At;
        return d with { Due = moved?.NewDue ?? original, OccurrenceOf = original.Instant, ArmedAt = armed };
    }

    /// <summary>The rule's occurrence at exactly <paramref name="instant"/> (before any move), with the one before it.</summary>
    private static (DueTime Due, Instant? Previous)? RawAt(Deadline d, Recurrence rule, Instant instant)
    {
        var fromLocal = instant.InZone(d.Due.Zone).LocalDateTime.PlusDays(-1);
        foreach (var due in rule.DueTimesFrom(d.Due, fromLocal))
        {
            if (due.Instant > instant) return null;
            if (due.Instant == instant) return (due, PreviousRaw(d, rule, due.Local));
        }
        return null;
    }

    /// <summary>The rule's occurrence before the local time <paramref name="local"/> (null for the first), looking back
    /// a week, a month, a year, then to the start, so that a daily rule is not walked from its first day.</summary>
    private static Instant? PreviousRaw(Deadline d, Recurrence rule, LocalDateTime local)
    {
        foreach (var days in (int[])[8, 40, 400, int.MaxValue])
        {
            var from = days == int.MaxValue || local.Date.PlusDays(-days) <= d.Due.Local.Date ? d.Due.Local : local.PlusDays(-days);
            var before = rule.DueTimesFrom(d.Due, from).TakeWhile(x => x.Local < local).LastOrDefault();
            if (before is not null) return before.Instant;
            if (from == d.Due.Local) return null;
        }
        return null;
    }
}

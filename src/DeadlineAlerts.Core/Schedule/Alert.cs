using DeadlineAlerts.Core.Records;
using NodaTime;

namespace DeadlineAlerts.Core.Schedule;

/// <summary>
/// One alert as the schedule knows it: who, about what, which lead time, when it fires. <see cref="FireAt"/>
/// is when it is sent, after any quiet-hours hold; the <see cref="MessageId"/> names the alert, not its timing,
/// so a held alert keeps its id.
/// </summary>
public sealed record PlannedAlert(
    MessageId Id,
    DeadlineId DeadlineId,
    SubscriberId SubscriberId,
    LeadTime LeadTime,
    Instant FireAt,
    Instant DueAt);

/// <summary>The pure schedule math: which alerts a (deadline, subscriber) pair produces.</summary>
public static class AlertPlanner
{
    /// <summary>Lead times in force for this pair: the subscriber's own, else the deadline's, else the defaults.</summary>
    public static IReadOnlyList<LeadTime> LeadTimesFor(Deadline deadline, Subscriber subscriber) =>
        subscriber.LeadTimes.Count > 0 ? subscriber.LeadTimes
        : deadline.LeadTimes.Count > 0 ? deadline.LeadTimes
        : LeadTime.Defaults;

    /// <summary>
    /// The alerts the schedule should hold at <paramref name="now"/> for the pair: for a one-off deadline all of
    /// them (<see cref="Plan(Deadline, Subscriber)"/>), for a recurring one those of each occurrence in its rolling
    /// horizon (<see cref="Occurrences.Horizon"/>; the tick extends it as occurrences pass).
    /// </summary>
    public static IEnumerable<PlannedAlert> Plan(Deadline deadline, Subscriber subscriber, Instant now) =>
        deadline.Recurrence is null ? Plan(deadline, subscriber)
        : deadline.Status != DeadlineStatus.Active || !subscriber.Follows(deadline) ? []
        : Occurrences.Horizon(deadline, now).SelectMany(o => Plan(o, subscriber));

    /// <summary>
    /// Every alert of one deadline instance (a one-off deadline, or one occurrence from <see cref="Occurrences"/>) for
    /// the subscriber that can still be sent: none for a deadline that is not active or that the
    /// subscriber does not follow, and none whose fire instant lies before the later of the two records'
    /// arming moments (no stale "30 days left" for a deadline added 3 days before it is due). The alert ids derive
    /// from the instance's due instant, so each occurrence has its own alerts and ledger rows.
    /// </summary>
    public static IEnumerable<PlannedAlert> Plan(Deadline deadline, Subscriber subscriber)
    {
        if (deadline.Status != DeadlineStatus.Active || !subscriber.Follows(deadline)) yield break;
        var armed = Instant.Max(deadline.ArmedAt, subscriber.CreatedAt);
        var due = deadline.Due.Zoned;
        foreach (var lead in LeadTimesFor(deadline, subscriber).Distinct())
        {
            var fireAt = lead.FireInstantBefore(due);
            if (fireAt < armed) continue;
            fireAt = PauseHold(fireAt, deadline, subscriber) ?? fireAt;
            fireAt = HoldForQuietHours(fireAt, deadline, subscriber, urgent: lead.IsAtDeadline);
            yield return new PlannedAlert(MessageId.ForAlert(deadline.Id, due.ToInstant(), subscriber.Id, lead),
                deadline.Id, subscriber.Id, lead, fireAt, due.ToInstant());
        }
    }

    /// <summary>
    /// Where a subscriber's pause moves a lead-time alert that would fire at <paramref name="at"/>: to the pause's
    /// end when <paramref name="at"/> falls in the pause and the deadline is still ahead at that end; null when
    /// the pause does not move it: outside the pause, or in it with the deadline due by its end (the PT0S "due now"
    /// alert always is). Such an alert keeps its instant and the tick records it as skipped
    /// (<see cref="SkippedByPause"/>), so lifting the pause before then lets it go out as planned.
    /// </summary>
    public static Instant? PauseHold(Instant at, Deadline deadline, Subscriber subscriber) =>
        subscriber.IsPausedAt(at) && subscriber.PausedUntil!.Value < deadline.Due.Instant ? subscriber.PausedUntil.Value : null;

    /// <summary>True when the alert falls in the subscriber's pause and the pause could not hold it (its deadline is due by the pause's end).</summary>
    public static bool SkippedByPause(PlannedAlert alert, Subscriber subscriber) => subscriber.IsPausedAt(alert.FireAt);

    /// <summary>
    /// When a change notice about <paramref name="deadline"/> that happened at <paramref name="at"/> is sent. A
    /// notice is urgent: with the subscriber's urgent rule (<see cref="QuietHours.UrgentPassesThrough"/>, true
    /// without quiet hours) it goes at once through a pause as through quiet hours; without it, it waits for the
    /// pause's end (even past the deadline: the subscriber asked for silence until then and said urgent ones wait
    /// too), then for the end of quiet hours.
    /// </summary>
    public static Instant NoticeSendAt(Instant at, Deadline deadline, Subscriber subscriber)
    {
        var urgentPasses = subscriber.QuietHours?.UrgentPassesThrough ?? true;
        if (!urgentPasses && subscriber.IsPausedAt(at)) at = subscriber.PausedUntil!.Value;
        return HoldForQuietHours(at, deadline, subscriber, urgent: true);
    }

    /// <summary>
    /// When a message about <paramref name="deadline"/> that would go to <paramref name="subscriber"/> at
    /// <paramref name="at"/> is sent, given the subscriber's quiet hours (in <see cref="Subscriber.ZoneFor"/>).
    /// <paramref name="urgent"/>: the PT0S "due now" alert and change notices, which pass through unless the
    /// subscriber chose otherwise. Nothing is held past the deadline's due instant.
    /// </summary>
    public static Instant HoldForQuietHours(Instant at, Deadline deadline, Subscriber subscriber, bool urgent) =>
        subscriber.QuietHours is { } quiet ? quiet.Hold(at, subscriber.ZoneFor(deadline), urgent, deadline.Due.Instant) : at;

    /// <summary>
    /// True when a stored schedule row still describes a live alert of the current records, at the time the
    /// row says: a row planned before the subscriber's quiet hours changed names the same alert at another
    /// instant and no longer applies, so the alert fires once, at its current time.
    /// </summary>
    public static bool StillApplies(PlannedAlert alert, Deadline? deadline, Subscriber? subscriber) =>
        deadline is not null && subscriber is not null
        && (deadline.Recurrence is null ? deadline : Occurrences.At(deadline, alert.DueAt)) is { } instance
        && Plan(instance, subscriber).Any(p => p.Id == alert.Id && p.FireAt == alert.FireAt);
}

public enum TickDecision { Send, SendLate, SkipLate, SkipStale }

/// <summary>
/// What a tick does with an alert whose fire instant has come:
/// <list type="bullet">
/// <item>On time: the tick came within one scan period of the fire instant.</item>
/// <item>Late: sent, marked late, while the deadline is ahead; once the deadline has passed, a late
/// lead-time alert is recorded as skipped. The PT0S "due now" alert is sent late too, unless the deadline
/// passed more than <c>staleAfter</c> ago: then it is stale (recorded, not sent), since "due now" a week
/// after the fact tells nobody anything.</item>
/// </list>
/// </summary>
public static class TickPolicy
{
    public static readonly Duration DefaultStaleAfter = Duration.FromDays(1);

    public static TickDecision Decide(PlannedAlert alert, Instant now, Duration scanPeriod) => Decide(alert, now, scanPeriod, DefaultStaleAfter);

    public static TickDecision Decide(PlannedAlert alert, Instant now, Duration scanPeriod, Duration staleAfter)
    {
        var late = now - alert.FireAt > scanPeriod;
        if (!late) return TickDecision.Send;
        if (now - alert.DueAt > staleAfter) return TickDecision.SkipStale;
        if (alert.LeadTime.IsAtDeadline) return TickDecision.SendLate;
        return now >= alert.DueAt ? TickDecision.SkipLate : TickDecision.SendLate;
    }

    /// <summary>
    /// Catch-up as a person wants it: of the alerts of one deadline for one subscriber that a tick would send,
    /// only the most recent goes (its countdown is measured when it is sent); the earlier ones say less and are
    /// superseded. With one alert (the normal case) it is simply sent.
    /// Returns the alert that goes, keyed by (deadline, subscriber), for the alerts given.
    /// </summary>
    public static IReadOnlyDictionary<(DeadlineId DeadlineId, SubscriberId SubscriberId), PlannedAlert> Survivors(IEnumerable<PlannedAlert> sendable) =>
        sendable.GroupBy(a => (a.DeadlineId, a.SubscriberId))
            .ToDictionary(g => g.Key, g => g.OrderByDescending(a => a.FireAt).ThenBy(a => a.LeadTime.Text, StringComparer.Ordinal).First());
}

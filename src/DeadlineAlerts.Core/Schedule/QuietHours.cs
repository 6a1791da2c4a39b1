using NodaTime;
using NodaTime.Text;

namespace DeadlineAlerts.Core.Schedule;

/// <summary>
/// A subscriber's nightly quiet period, as wall-clock times in the subscriber's zone (the deadline's zone
/// when the subscriber has none). <see cref="From"/> is inside, <see cref="To"/> is not; a period whose
/// <see cref="From"/> is later than its <see cref="To"/> crosses midnight (22:00-07:00).
/// <para>
/// A message that would go out inside the period is held to its end: the first instant at or after the
/// local end time. When the end time falls in a DST gap it moves forward by the gap (02:30 on a spring-forward
/// night becomes 03:30); when it is ambiguous (clocks went back) the earlier of the two instants that is not
/// before the message is used. A message whose hold would pass the deadline itself is not held: a late warning
/// is worth more than an unbroken night.
/// </para>
/// </summary>
public sealed record QuietHours(LocalTime From, LocalTime To, bool UrgentPassesThrough = true)
{
    private static readonly LocalTimePattern Pattern = LocalTimePattern.CreateWithInvariantCulture("HH':'mm");

    public string FromText => Pattern.Format(From);
    public string ToText => Pattern.Format(To);

    /// <summary>"22:00-07:00".</summary>
    public override string ToString() => $"{FromText}-{ToText}";

    public bool CrossesMidnight => From > To;

    /// <summary>True when the wall clock in <paramref name="zone"/> shows a time inside the quiet period.</summary>
    public bool Contains(Instant instant, DateTimeZone zone)
    {
        var time = instant.InZone(zone).TimeOfDay;
        return CrossesMidnight ? time >= From || time < To : time >= From && time < To;
    }

    /// <summary>
    /// When a message that would go at <paramref name="at"/> is sent.
    /// <list type="bullet">
    /// <item>Outside the quiet period: at once.</item>
    /// <item><paramref name="urgent"/> (the PT0S "due now" alert, a change notice) and the subscriber lets urgent
    /// messages through (<see cref="UrgentPassesThrough"/>): at once.</item>
    /// <item>The end of the quiet period is after <paramref name="deadlineDue"/>: at once (the message would
    /// otherwise arrive after what it warns about). Pass null when there is no deadline to pass.</item>
    /// <item>Otherwise: at the end of the quiet period.</item>
    /// </list>
    /// </summary>
    public Instant Hold(Instant at, DateTimeZone zone, bool urgent, Instant? deadlineDue)
    {
        if (urgent && UrgentPassesThrough) return at;
        if (!Contains(at, zone)) return at;
        var end = EndOfPeriodContaining(at, zone);
        return deadlineDue is { } due && end > due ? at : end;
    }

    /// <summary>The end of the quiet period that <paramref name="at"/> lies in (call only when it does).</summary>
    private Instant EndOfPeriodContaining(Instant at, DateTimeZone zone)
    {
        var local = at.InZone(zone).LocalDateTime;
        var endDate = CrossesMidnight && local.TimeOfDay >= From ? local.Date.PlusDays(1) : local.Date;
        var mapping = zone.MapLocal(endDate + To);
        if (mapping.Count == 0) return (endDate + To).InZoneLeniently(zone).ToInstant();
        // Ambiguous end (clocks went back at the end time): the first of the two that is not before the message.
        var candidates = mapping.Count == 1 ? [mapping.Single().ToInstant()] : new[] { mapping.First().ToInstant(), mapping.Last().ToInstant() };
        return candidates.Where(i => i >= at).DefaultIfEmpty(at).Min();
    }

    /// <summary>Reads a 24-hour wall-clock time such as "22:00"; null when the text is no such time.</summary>
    public static LocalTime? ParseTime(string? text) =>
        !string.IsNullOrWhiteSpace(text) && Pattern.Parse(text.Trim()) is { Success: true } r ? r.Value : null;
}

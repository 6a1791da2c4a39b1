using NodaTime;

namespace DeadlineAlerts.Core.Rendering;

/// <summary>
/// Countdown in words, the way a desk reads it: the two largest non-zero units, rounded down.
/// "7 days, 3 hours left", "45 minutes left", "due now", "12 minutes late", "2 days, 1 hour overdue".
/// </summary>
public static class Countdown
{
    /// <summary>Within this much either side of the due instant the text is "due now".</summary>
    public static readonly Duration DueNowTolerance = Duration.FromMinutes(1);

    /// <summary>
    /// Where a deadline stands, as lists show it: "13 days, 23 hours left"; for an active deadline whose due
    /// time has passed with no decision, "overdue by 2 days" (how long ago); otherwise the decision
    /// ("resolved", "cancelled"). The CLI's and the API's lists both use it.
    /// </summary>
    public static string Standing(Records.Deadline d, Instant now)
    {
        if (d.Status != Records.DeadlineStatus.Active) return d.Status.ToString().ToLowerInvariant();
        // A recurring deadline stands where its next occurrence does.
        if (d.Recurrence is not null && d.OccurrenceOf is null)
            return Schedule.Occurrences.Next(d, now) is { } next ? Standing(next, now) : RecurrenceText.Ended;
        var text = Text(now, d.Due.Instant, "overdue");
        return text.EndsWith(" overdue", StringComparison.Ordinal) ? "overdue by " + text[..^" overdue".Length] : text;
    }

    /// <summary>True for an active deadline whose due time has passed with no decision.</summary>
    public static bool IsOverdue(Records.Deadline d, Instant now) =>
        d.Status == Records.DeadlineStatus.Active && (d.Recurrence is null || d.OccurrenceOf is not null) && now - d.Due.Instant >= DueNowTolerance;

    public static string Text(Instant now, Instant due, string pastWord = "late")
    {
        var remaining = due - now;
        var magnitude = remaining < Duration.Zero ? -remaining : remaining;
        if (magnitude < DueNowTolerance) return "due now";
        // Rounded to the minute: an alert sent 20 seconds after "7 days before" still reads "7 days left".
        var words = Words(Duration.FromMinutes(Math.Round(magnitude.TotalMinutes, MidpointRounding.AwayFromZero)));
        return remaining > Duration.Zero ? $"{words} left" : $"{words} {pastWord}";
    }

    public static string Words(Duration span)
    {
        var days = span.Days;
        var hours = span.Hours;
        var minutes = span.Minutes;
        var parts = new List<string>(2);
        if (days > 0) parts.Add(Unit(days, "day"));
        if (hours > 0) parts.Add(Unit(hours, "hour"));
        if (days == 0 && minutes > 0) parts.Add(Unit(minutes, "minute"));
        if (parts.Count == 0) return span.Seconds > 0 ? Unit(span.Seconds, "second") : "0 minutes";
        return string.Join(", ", parts.Take(2));
    }

    private static string Unit(long n, string unit) => n == 1 ? $"1 {unit}" : $"{n} {unit}s";
}

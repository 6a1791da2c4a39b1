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

    /// <summary>The countdown in <paramref name="language"/>: "3 days, 4 hours left", "剩余3天4小时", "3 dagar, 4 timmar kvar".</summary>
    public static string Text(Instant now, Instant due, MessageLanguage language)
    {
        var remaining = due - now;
        var magnitude = remaining < Duration.Zero ? -remaining : remaining;
        if (magnitude < DueNowTolerance) return language.Text("countdown.dueNow");
        var words = Words(Duration.FromMinutes(Math.Round(magnitude.TotalMinutes, MidpointRounding.AwayFromZero)), language);
        return language.Text(remaining > Duration.Zero ? "countdown.left" : "countdown.late", ("time", words));
    }

    public static string Words(Duration span) => Words(span, MessageLanguage.English);

    /// <summary>The two largest non-zero units of <paramref name="span"/>, rounded down, in <paramref name="language"/>.</summary>
    public static string Words(Duration span, MessageLanguage language)
    {
        var days = span.Days;
        var hours = span.Hours;
        var minutes = span.Minutes;
        var parts = new List<(string, long)>(2);
        if (days > 0) parts.Add(("day", days));
        if (hours > 0) parts.Add(("hour", hours));
        if (days == 0 && minutes > 0) parts.Add(("minute", minutes));
        if (parts.Count == 0) return span.Seconds > 0 ? language.Count("unit.second", span.Seconds) : language.Count("unit.minute", 0);
        return language.Amounts(parts.Take(2));
    }

    /// <summary>A lead time as <paramref name="language"/> says it: "30 days before", "提前30天", "30 dagar före",
    /// "at the deadline" (English as <see cref="Schedule.LeadTime.Words"/>).</summary>
    public static string LeadWords(Schedule.LeadTime lead, MessageLanguage language)
    {
        if (lead.IsAtDeadline) return language.Text("lead.atDeadline");
        var p = lead.DatePart;
        var t = lead.TimePart;
        var amounts = language.Amounts([("year", p.Years), ("month", p.Months), ("week", p.Weeks), ("day", p.Days),
            ("hour", (long)t.TotalHours), ("minute", t.Minutes), ("second", t.Seconds)]);
        return language.Text("lead.before", ("time", amounts));
    }
}

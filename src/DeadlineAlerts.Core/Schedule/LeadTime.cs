using System.Diagnostics.CodeAnalysis;
using NodaTime;
using NodaTime.Text;

namespace DeadlineAlerts.Core.Schedule;

/// <summary>
/// How long before a deadline an alert fires, as an ISO 8601 duration read the way RFC 5545 reads alarm
/// triggers: the date part (years, months, weeks, days) is <em>nominal</em> and counts on the deadline's
/// local calendar; the time part (hours, minutes, seconds) is <em>exact</em> elapsed time.
/// So <c>P1D</c> before 09:00 on the day clocks go forward fires at 09:00 the day before (23 real hours),
/// while <c>PT24H</c> fires exactly 24 hours earlier (08:00 local).
/// </summary>
[SuppressMessage("Design", "CA1036", Justification = "The order is approximate (P1M sorts with P30D, which it does not equal): it sorts lists, and `<` would promise more.")]
public readonly record struct LeadTime : IComparable<LeadTime>
{
    private static readonly PeriodPattern Iso = PeriodPattern.NormalizingIso;

    public Period DatePart { get; }
    public Duration TimePart { get; }
    public string Text { get; }

    private LeadTime(Period datePart, Duration timePart, string text)
    {
        DatePart = datePart;
        TimePart = timePart;
        Text = text;
    }

    public static readonly LeadTime AtDeadline = Parse("PT0S");
    public static readonly IReadOnlyList<LeadTime> Defaults = [Parse("P7D"), Parse("P1D"), Parse("PT1H")];

    public bool IsAtDeadline => DatePart == Period.Zero && TimePart == Duration.Zero;

    public static LeadTime Parse(string text) =>
        TryParse(text, out var lead, out var problem) ? lead : throw new FormatException(problem);

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="problem"/> says what is accepted.</summary>
    public static bool TryParse(string? text, out LeadTime lead, out string problem)
    {
        lead = default;
        problem = "";
        const string accepted = "an ISO 8601 duration such as P30D, P1W, P1DT12H, PT1H or PT0S";
        if (string.IsNullOrWhiteSpace(text)) { problem = $"is empty; give {accepted}"; return false; }
        var trimmed = text.Trim();
        if (trimmed.StartsWith('-') || trimmed.Contains('-', StringComparison.Ordinal))
        {
            problem = $"is negative; a lead time counts back from the deadline, so give a positive {accepted}";
            return false;
        }
        var parsed = Iso.Parse(trimmed.StartsWith('+') ? trimmed[1..] : trimmed);
        if (!parsed.Success) { problem = $"is not {accepted}"; return false; }
        var p = parsed.Value;
        if (p.Years < 0 || p.Months < 0 || p.Weeks < 0 || p.Days < 0 || p.Hours < 0 || p.Minutes < 0 || p.Seconds < 0 || p.Milliseconds < 0)
        {
            problem = $"is negative; give a positive {accepted}"; return false;
        }
        var datePart = new PeriodBuilder { Years = p.Years, Months = p.Months, Weeks = p.Weeks, Days = p.Days }.Build();
        var timePart = Duration.FromHours(p.Hours) + Duration.FromMinutes(p.Minutes) + Duration.FromSeconds(p.Seconds)
                       + Duration.FromMilliseconds(p.Milliseconds);
        lead = new LeadTime(datePart, timePart, Canonical(datePart, timePart));
        return true;
    }

    private static string Canonical(Period datePart, Duration timePart)
    {
        if (datePart == Period.Zero && timePart == Duration.Zero) return "PT0S";
        var text = "P";
        if (datePart.Years != 0) text += datePart.Years + "Y";
        if (datePart.Months != 0) text += datePart.Months + "M";
        if (datePart.Weeks != 0) text += datePart.Weeks + "W";
        if (datePart.Days != 0) text += datePart.Days + "D";
        if (timePart != Duration.Zero)
        {
            text += "T";
            var hours = (long)Math.Floor(timePart.TotalHours);
            var rest = timePart - Duration.FromHours(hours);
            var minutes = (long)Math.Floor(rest.TotalMinutes);
            rest -= Duration.FromMinutes(minutes);
            if (hours != 0) text += hours + "H";
            if (minutes != 0) text += minutes + "M";
            if (rest != Duration.Zero) text += rest.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + "S";
        }
        return text;
    }

    /// <summary>
    /// The instant this lead time before <paramref name="due"/> falls on. The date part is taken off the
    /// local date-time on the deadline's calendar; if that lands in a gap (clocks went forward) it moves
    /// forward by the gap, and if it is ambiguous (clocks went back) the earlier instant is used. The time
    /// part is then taken off as exact elapsed time.
    /// </summary>
    public Instant FireInstantBefore(ZonedDateTime due)
    {
        var nominal = DatePart == Period.Zero
            ? due
            : (due.LocalDateTime - DatePart).InZone(due.Zone, DueTime.OperatorResolver);
        return nominal.ToInstant() - TimePart;
    }

    /// <summary>Approximate length, only for ordering lead times (longest first).</summary>
    public Duration ApproximateLength =>
        Duration.FromDays(DatePart.Years * 365 + DatePart.Months * 30 + DatePart.Weeks * 7 + DatePart.Days) + TimePart;

    public int CompareTo(LeadTime other) => ApproximateLength.CompareTo(other.ApproximateLength);

    /// <summary>How a person says it: "30 days before", "1 month, 2 weeks before", "1 hour, 30 minutes before", "at the deadline".</summary>
    public string Words
    {
        get
        {
            if (IsAtDeadline) return "at the deadline";
            var parts = new List<string>();
            void Add(long n, string unit) { if (n != 0) parts.Add($"{n} {unit}{(n == 1 ? "" : "s")}"); }
            Add(DatePart.Years, "year");
            Add(DatePart.Months, "month");
            Add(DatePart.Weeks, "week");
            Add(DatePart.Days, "day");
            Add((long)TimePart.TotalHours, "hour");
            Add(TimePart.Minutes, "minute");
            Add(TimePart.Seconds, "second");
            return string.Join(", ", parts) + " before";
        }
    }

    public override string ToString() => Text;
}

using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Evaluation;
using NodaTime;
using NodaTime.Text;

namespace DeadlineAlerts.Core.Schedule;

/// <summary>
/// A deadline's repeat rule: an RFC 5545 RRULE (<c>FREQ=MONTHLY;BYMONTHDAY=15</c>, <c>COUNT</c> or <c>UNTIL</c>
/// optional), evaluated on the deadline's local due time in its zone, so "09:00 on the 15th" stays 09:00 across DST.
/// <para>Ical.Net expands the rule into local date-times (a floating DTSTART: wall-clock times, no zone); each is
/// then resolved in the deadline's zone with the tz data in use and <see cref="DueTime.OperatorResolver"/>, which is
/// what RFC 5545 3.3.5 prescribes: a local time skipped by a clock change is read with the offset before the gap
/// (02:30 on a spring-forward day in New York is 03:30 EDT), an ambiguous one is the first of the two. Ical.Net's own
/// zone handling is not used: it reads its own copy of the tz data, and it moves a DTSTART that falls in a gap for
/// the whole series (a daily 02:30 started on the spring-forward day fires at 03:30 every day after).</para>
/// <para>Months without the day are skipped, as RFC 5545 says (BYMONTHDAY=31: January, March, May, July, August, …).
/// The due time is the series' first occurrence and must be one the rule produces; a rule that never occurs, or
/// occurs more than once on a local day, is refused (<see cref="Parse"/>).</para>
/// </summary>
public sealed class Recurrence
{
    /// <summary>How far a rule is searched for its first occurrence before it is said never to occur.</summary>
    private static readonly NodaTime.Period Search = NodaTime.Period.FromYears(30);

    private static readonly LocalDateTimePattern Local = LocalDateTimePattern.ExtendedIso;

    private readonly RecurrencePattern _pattern;

    private Recurrence(string text, RecurrencePattern pattern)
    {
        Text = text;
        _pattern = pattern;
    }

    /// <summary>The rule as stored and exported (upper case, without an <c>RRULE:</c> prefix).</summary>
    public string Text { get; }

    /// <summary>RFC 5545's FREQ, lower case ("monthly"); <see cref="Rendering.RecurrenceText"/> words it.</summary>
    public string Frequency => _pattern.Frequency.ToString().ToLowerInvariant();

    /// <summary>
    /// Reads <paramref name="text"/> as the rule of a series that starts at <paramref name="start"/>. Problems are
    /// worded to follow the field name ("recurrence \"...\" never occurs ...").
    /// </summary>
    public static RecurrenceParse Parse(string? text, DueTime start)
    {
        if (ShapeProblem(text, out var recurrence) is { } shape) return RecurrenceParse.Fail(shape);
        var first = recurrence!.LocalsFrom(start.Local, start.Local).Take(3).ToList();
        if (first.Count == 0)
            return RecurrenceParse.Fail($"never occurs from the due time {Local.Format(start.Local)} on (searched {Search.Years} years); check BYMONTH/BYMONTHDAY/BYDAY and UNTIL");
        if (first[0] != start.Local)
            return RecurrenceParse.Fail($"does not produce the due time {Local.Format(start.Local)}, which is the series' first occurrence; " +
                                        $"its first occurrence from then is {Local.Format(first[0])}: give that as the due time, or change the rule");
        var sameDay = recurrence.LocalsFrom(start.Local, start.Local).Take(400).Zip(recurrence.LocalsFrom(start.Local, start.Local).Skip(1).Take(400))
            .FirstOrDefault(p => p.First.Date == p.Second.Date);
        if (sameDay != default)
            return RecurrenceParse.Fail($"occurs more often than daily ({Local.Format(sameDay.First)} and {Local.Format(sameDay.Second)} fall on the same day); " +
                                        "a deadline repeats at most once a day, e.g. FREQ=DAILY or FREQ=WEEKLY;BYDAY=MO,TH");
        return RecurrenceParse.Ok(recurrence);
    }

    /// <summary>The problem with a rule's text on its own (without a due time), or null; <paramref name="recurrence"/> is set when there is none.</summary>
    public static string? ShapeProblem(string? text, out Recurrence? recurrence)
    {
        recurrence = null;
        const string example = "an RFC 5545 RRULE such as FREQ=MONTHLY;BYMONTHDAY=15 (COUNT=12 or UNTIL=20271231T235959 optional)";
        if (string.IsNullOrWhiteSpace(text)) return $"is empty; give {example}, or leave the field out";
        var normalised = text.Trim().ToUpperInvariant();
        if (normalised.StartsWith("RRULE:", StringComparison.Ordinal)) normalised = normalised["RRULE:".Length..];
        if (normalised.Length > 500) return $"is {normalised.Length} characters long; a rule is at most 500";
        RecurrencePattern pattern;
        try
        {
            pattern = new RecurrencePattern(normalised);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            return $"is not {example}: {FirstSentence(e.Message)}";
        }
        if (!normalised.Split(';').Any(p => p.StartsWith("FREQ=", StringComparison.Ordinal)))
            return $"has no FREQ; give {example}";
        if (pattern.Frequency is Ical.Net.FrequencyType.Secondly or Ical.Net.FrequencyType.Minutely or Ical.Net.FrequencyType.Hourly)
            return $"occurs more often than daily (FREQ={pattern.Frequency.ToString().ToUpperInvariant()}); a deadline repeats at most once a day, from FREQ=DAILY up";
        recurrence = new Recurrence(normalised, pattern);
        return null;
    }

    /// <summary>Rebuilds a stored rule (stored data was validated when written; a rule this version cannot read throws <see cref="FormatException"/>).</summary>
    public static Recurrence FromStored(string text) =>
        ShapeProblem(text, out var r) is { } problem ? throw new FormatException($"\"{text}\" {problem}") : r!;

    /// <summary>
    /// The series' occurrences as local date-times (first = <paramref name="start"/>, the due time), in order, from
    /// <paramref name="from"/> on. Lazy: an unbounded rule never ends, so take what is needed.
    /// </summary>
    public IEnumerable<LocalDateTime> LocalsFrom(LocalDateTime start, LocalDateTime from)
    {
        var ev = new CalendarEvent { DtStart = Floating(start), RecurrenceRule = _pattern };
        var limit = start.Date.Plus(Search);
        using var e = ev.GetOccurrences(Floating(from < start ? start : from)).GetEnumerator();
        while (true)
        {
            try
            {
                if (!e.MoveNext()) yield break;
            }
            catch (EvaluationOutOfRangeException)
            {
                yield break; // a rule with no further occurrence, searched to Ical.Net's end of time
            }
            var t = e.Current.Period.StartTime.Value;
            var local = LocalDateTime.FromDateTime(t);
            if (local.Date > limit) yield break;
            yield return local;
        }
    }

    /// <summary>The local occurrences resolved in <paramref name="start"/>'s zone: the due times of the series, in order, from <paramref name="fromLocal"/> on.</summary>
    public IEnumerable<DueTime> DueTimesFrom(DueTime start, LocalDateTime fromLocal) =>
        LocalsFrom(start.Local, fromLocal).Select(l => new DueTime(l, start.Zone, l.InZone(start.Zone, DueTime.OperatorResolver).ToInstant()));

    private static CalDateTime Floating(LocalDateTime local) =>
        new(local.Year, local.Month, local.Day, local.Hour, local.Minute, local.Second);

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.');
    }

    public override string ToString() => Text;
}

public sealed record RecurrenceParse(Recurrence? Value, string? Problem)
{
    public static RecurrenceParse Ok(Recurrence value) => new(value, null);
    public static RecurrenceParse Fail(string problem) => new(null, problem);
}

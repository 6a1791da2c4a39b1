using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace DeadlineAlerts.Core.Schedule;

public enum DigestEvery { Day, Week }

/// <summary>
/// A subscriber's digest: one message a day, or a week on <see cref="On"/>, at the wall-clock time
/// <see cref="At"/> in the subscriber's zone. Import format: <c>{"every": "week", "on": "monday", "at": "08:00"}</c>
/// or <c>{"every": "day", "at": "07:30"}</c>.
/// </summary>
public sealed record DigestChoice(DigestEvery Every, IsoDayOfWeek On, LocalTime At)
{
    public static readonly LocalTimePattern AtPattern = LocalTimePattern.CreateWithInvariantCulture("HH':'mm");

    public static DigestChoice Daily(LocalTime at) => new(DigestEvery.Day, IsoDayOfWeek.None, at);
    public static DigestChoice Weekly(IsoDayOfWeek on, LocalTime at) => new(DigestEvery.Week, on, at);

    public string EveryText => Every == DigestEvery.Day ? "day" : "week";
    public string? OnText => Every == DigestEvery.Week ? On.ToString().ToLowerInvariant() : null;
    public string AtText => AtPattern.Format(At);

    /// <summary>How long ahead a digest looks: a daily one the next 30 days, a weekly one the next 60 (two months of Mondays).</summary>
    public Duration Horizon => Every == DigestEvery.Day ? Duration.FromDays(30) : Duration.FromDays(60);

    /// <summary>Compact stored form: <c>day 07:30</c>, <c>week monday 08:00</c>.</summary>
    public string Stored => Every == DigestEvery.Day ? $"day {AtText}" : $"week {OnText} {AtText}";

    public static DigestChoice? FromStored(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts[0] == "day"
            ? Daily(AtPattern.Parse(parts[1]).Value)
            : Weekly(Enum.Parse<IsoDayOfWeek>(parts[1], ignoreCase: true), AtPattern.Parse(parts[2]).Value);
    }

    /// <summary>"every Monday at 08:00", "every day at 07:30".</summary>
    public override string ToString() => Every == DigestEvery.Day
        ? $"every day at {AtText}"
        : $"every {CultureInfo.InvariantCulture.TextInfo.ToTitleCase(OnText!)} at {AtText}";
}

/// <summary>
/// One digest period of one subscriber: it starts at <see cref="SendAt"/>, the digest's local time on the
/// local <see cref="Date"/>, and ends where the next period starts. <see cref="Key"/> names it in ledger ids.
/// </summary>
public readonly record struct DigestPeriod(LocalDate Date, Instant SendAt)
{
    public string Key => LocalDatePattern.Iso.Format(Date);
}

/// <summary>
/// Digest timing on the subscriber's wall clock, so "Monday 08:00 Europe/Stockholm" is 08:00 local every
/// Monday: 06:00Z in summer time, 07:00Z after the clocks go back. A local time skipped by a DST gap moves
/// forward by the gap (02:30 on the spring-forward night is sent at 03:30); a time that occurs twice takes
/// the earlier instant, so a period is never sent twice for the repeated hour. Both as for due times
/// (<see cref="DueTime.OperatorResolver"/>).
/// </summary>
public static class DigestSchedule
{
    /// <summary>
    /// The period containing <paramref name="instant"/>: the latest whose send instant is at or before it.
    /// </summary>
    public static DigestPeriod PeriodContaining(DigestChoice choice, DateTimeZone zone, Instant instant)
    {
        var date = instant.InZone(zone).Date;
        if (choice.Every == DigestEvery.Week && date.DayOfWeek != choice.On)
            date = date.Previous(choice.On);
        var period = At(choice, zone, date);
        return period.SendAt <= instant ? period : Previous(choice, zone, period);
    }

    public static DigestPeriod Next(DigestChoice choice, DateTimeZone zone, DigestPeriod period) =>
        At(choice, zone, period.Date.PlusDays(Step(choice)));

    public static DigestPeriod Previous(DigestChoice choice, DateTimeZone zone, DigestPeriod period) =>
        At(choice, zone, period.Date.PlusDays(-Step(choice)));

    /// <summary>The period that starts on local <paramref name="date"/> (which must be a digest day).</summary>
    public static DigestPeriod At(DigestChoice choice, DateTimeZone zone, LocalDate date) =>
        new(date, (date + choice.At).InZone(zone, DueTime.OperatorResolver).ToInstant());

    private static int Step(DigestChoice choice) => choice.Every == DigestEvery.Day ? 1 : 7;
}

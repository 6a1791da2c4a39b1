using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using NodaTime;
using IcalCalendar = Ical.Net.Calendar;
using IcalDuration = Ical.Net.DataTypes.Duration;

namespace DeadlineAlerts.App.Calendar;

/// <summary>
/// Deadlines as an iCalendar document (RFC 5545) that Outlook, Google Calendar and Apple Calendar subscribe to:
/// one VEVENT per active deadline, with one VALARM per lead time. Used by the subscriber's feed
/// (<c>GET /api/calendar/{id}.ics</c>) and by <c>dla export --format ics</c>.
/// <list type="bullet">
/// <item>UID is <c>{deadline id}@deadlinealerts</c>, the same across extensions, so a client moves the
/// existing event instead of adding one. SEQUENCE grows whenever the due instant changes (it counts from the
/// moment the current due instant was stored, <see cref="Deadline.ArmedAt"/>).</item>
/// <item>DTSTART is the due time in the deadline's own zone with its VTIMEZONE (<see cref="CalendarTimeZones"/>:
/// from the tz data in use, over the years the feed's deadlines span, so a deadline ten years ahead is fine), so clients show it as the
/// operator typed it; a due time that is the later of two ambiguous local times (clocks went back) is written
/// in UTC instead, because a local time with TZID means the earlier one. There is no DTEND: a deadline is a moment.</item>
/// <item>Alarms follow <see cref="AlertPlanner.LeadTimesFor"/> for a subscriber (the deadline's own lead times,
/// else the defaults, without one). Days and weeks are nominal in both RFC 5545 and <see cref="LeadTime"/>, so
/// P7D becomes TRIGGER:-P7D; months and years, which RFC 5545 durations cannot hold, become the days they span
/// on the deadline's calendar (P1M before 12 Aug is -P31D).</item>
/// <item>A subscriber's feed is in their language (<see cref="Subscriber.Locale"/>): its name, the alarms' text and the
/// events' descriptions. Titles, notes and sources are the records' own.</item>
/// <item>A recurring deadline is one VEVENT with its RRULE (DTSTART is the series' first occurrence): resolved and
/// cancelled occurrences are EXDATEs, a moved occurrence a VEVENT with the same UID and a RECURRENCE-ID.</item>
/// </list>
/// </summary>
public static class CalendarFeed
{
    public const string ContentType = "text/calendar; charset=utf-8";
    public const string ProductId = "-//DeadlineAlerts//Deadline calendar//EN";
    private static readonly Instant SequenceEpoch = Instant.FromUtc(2020, 1, 1, 0, 0);

    public static string Uid(Deadline deadline) => $"{deadline.Id}@deadlinealerts";

    /// <summary>The active deadlines among <paramref name="deadlines"/> (those <paramref name="subscriber"/> follows, when given).</summary>
    public static string Build(IEnumerable<Deadline> deadlines, Subscriber? subscriber = null, string? name = null)
    {
        // Each due time as its local time means it under the tz data in use: after a tz data change the stored
        // instant is the old rules' until the first tick re-plans, and a calendar should not show that hour.
        var chosen = deadlines
            .Where(d => d.Status == DeadlineStatus.Active && (subscriber is null || subscriber.Follows(d)))
            .Select(d => d with { Due = d.Due.UnderCurrentRules() })
            .OrderBy(d => d.Due.Instant).ThenBy(d => d.Id)
            .ToList();
        var language = MessageLanguage.For(subscriber?.Locale);
        var calendar = new IcalCalendar { ProductId = ProductId, Method = "PUBLISH" };
        calendar.AddProperty("X-WR-CALNAME", name ?? (subscriber is null ? "Deadlines" : language.Text("calendar.name", ("name", subscriber.Name))));
        // Each zone's VTIMEZONE spans its deadlines and their alarms (the longest lead time before the earliest, with a
        // day to spare either side), however far ahead they are, from the tz data the deadlines were read with.
        foreach (var zone in chosen.Where(WrittenInOwnZone).GroupBy(d => d.Due.Zone.Id))
        {
            var from = zone.Min(d => d.Due.Instant - Leads(d, subscriber).Select(l => l.ApproximateLength).DefaultIfEmpty().Max()) - NodaTime.Duration.FromDays(1);
            // A series is expanded by the client: its zone's observances are written for RecurringSpan from its start.
            var to = zone.Max(d => d.Recurrence is null ? d.Due.Instant : Instant.Max(d.Due.Instant + RecurringSpan, LastMove(d))) + NodaTime.Duration.FromDays(1);
            calendar.AddTimeZone(CalendarTimeZones.For(zone.First().Due.Zone, from, to));
        }
        foreach (var d in chosen)
        {
            var e = Event(d, subscriber, language);
            calendar.Events.Add(e);
            if (d.Recurrence is null) continue;
            // RFC 5545 3.8.5.1 and 3.8.4.4: a resolved or cancelled occurrence is an EXDATE of the series; a moved one is a
            // VEVENT of its own with the same UID, whose RECURRENCE-ID names the occurrence the rule gives (and no EXDATE).
            foreach (var (original, movedTo) in Occurrences.Exceptions(d))
            {
                if (movedTo is null)
                {
                    e.ExceptionDates.Add(InZone(original));
                    continue;
                }
                var moved = Event(d with { Recurrence = null, Due = movedTo }, subscriber, language);
                moved.RecurrenceIdentifier = new RecurrenceIdentifier(InZone(original));
                calendar.Events.Add(moved);
            }
        }
        return new CalendarSerializer().SerializeToString(calendar) ?? "";
    }

    /// <summary>How far ahead of a series' start its zone's observances are written (clients expand the RRULE themselves).</summary>
    private static readonly NodaTime.Duration RecurringSpan = NodaTime.Duration.FromDays(366 * 20);

    private static Instant LastMove(Deadline d) =>
        Occurrences.Exceptions(d).Select(x => x.MovedTo?.Instant ?? x.Original.Instant).DefaultIfEmpty(d.Due.Instant).Max();

    /// <summary>An occurrence's local time with the zone's TZID, as the rule's own DTSTART is written (what the client expands).</summary>
    private static CalDateTime InZone(DueTime due) => new(due.Local.ToDateTimeUnspecified(), due.Zone.Id);

    private static CalendarEvent Event(Deadline d, Subscriber? subscriber, MessageLanguage language)
    {
        var local = d.Due.Zoned.LocalDateTime;
        var e = new CalendarEvent
        {
            Uid = Uid(d),
            Sequence = (int)Math.Max(0, (d.ArmedAt - SequenceEpoch).TotalSeconds),
            DtStamp = new CalDateTime(d.ArmedAt.ToDateTimeUtc(), CalDateTime.UtcTzId),
            DtStart = WrittenInOwnZone(d)
                ? new CalDateTime(local.ToDateTimeUnspecified(), d.Due.Zone.Id)
                : new CalDateTime(d.Due.Instant.ToDateTimeUtc(), CalDateTime.UtcTzId),
            Summary = d.Title,
            Description = Description(d, subscriber, language),
            Status = "CONFIRMED",
            Transparency = "TRANSPARENT",
        };
        if (d.Recurrence is { } rule) e.RecurrenceRule = new RecurrencePattern(rule.Text);
        if (d.Category is { } category) e.Categories = [category];
        if (Uri.TryCreate(d.Source, UriKind.Absolute, out var source)) e.Url = source;
        foreach (var lead in Leads(d, subscriber).Distinct().OrderByDescending(l => l))
            e.Alarms.Add(new Alarm
            {
                Action = "DISPLAY",
                Description = language.Text("calendar.alarm", ("lead", language.Capital(lead.IsAtDeadline ? language.Text("countdown.dueNow") : Countdown.LeadWords(lead, language))), ("title", d.Title)),
                Trigger = new Trigger(Trigger(lead, d.Due.Zoned)),
            });
        return e;
    }

    private static IReadOnlyList<LeadTime> Leads(Deadline d, Subscriber? subscriber) =>
        subscriber is null ? (d.LeadTimes.Count > 0 ? d.LeadTimes : LeadTime.Defaults) : AlertPlanner.LeadTimesFor(d, subscriber);

    /// <summary>False for the later of two ambiguous local times, which only UTC can name in iCalendar.</summary>
    private static bool WrittenInOwnZone(Deadline d)
    {
        var mapping = d.Due.Zone.MapLocal(d.Due.Zoned.LocalDateTime);
        return mapping.Count <= 1 || mapping.First().ToInstant() == d.Due.Instant;
    }

    /// <summary>The lead time as a negative RFC 5545 duration relative to the start.</summary>
    public static IcalDuration Trigger(LeadTime lead, ZonedDateTime due)
    {
        var p = lead.DatePart;
        var days = p.Days + p.Weeks * 7;
        if (p.Years != 0 || p.Months != 0)
        {
            var back = due.LocalDateTime.Date.PlusYears(-p.Years).PlusMonths(-p.Months);
            days += NodaTime.Period.Between(back, due.LocalDateTime.Date, PeriodUnits.Days).Days;
        }
        var t = lead.TimePart;
        var hours = (int)Math.Floor(t.TotalHours);
        var minutes = t.Minutes;
        var seconds = t.Seconds;
        if (days == 0 && t == NodaTime.Duration.Zero) return IcalDuration.Zero; // written P0D, which RFC 5545 reads as PT0S
        // RFC 5545 has no weeks-and-days duration: weeks only when the lead time was written in weeks alone.
        var onlyWeeks = p.Weeks > 0 && days == p.Weeks * 7 && t == NodaTime.Duration.Zero;
        var duration = onlyWeeks
            ? new IcalDuration(days / 7, null, null, null, null)
            : new IcalDuration(null, days == 0 ? null : days, hours == 0 ? null : hours, minutes == 0 ? null : minutes, seconds == 0 ? null : seconds);
        return -duration;
    }

    public static string Description(Deadline d, Subscriber? subscriber) => Description(d, subscriber, MessageLanguage.For(subscriber?.Locale));

    private static string Description(Deadline d, Subscriber? subscriber, MessageLanguage language)
    {
        string Line(string key, string value) => language.Text("line", ("label", language.Text(key)), ("value", value));
        var lines = new List<string> { Line("label.due", TimeText.Full(d.Due.Instant, d.Due.Zone, language)) };
        if (d.Recurrence is { } rule) lines.Add(RecurrenceText.Repeats(rule));
        if (subscriber?.TimeZone is { } zone && zone.Id != d.Due.Zone.Id) lines.Add(Line("label.yourTime", TimeText.Full(d.Due.Instant, zone, language)));
        if (!string.IsNullOrWhiteSpace(d.Notes)) lines.Add(d.Notes.Trim());
        if (!string.IsNullOrWhiteSpace(d.Source)) lines.Add(Line("label.source", d.Source));
        return string.Join("\n", lines);
    }
}

using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using NodaTime;
using Duration = NodaTime.Duration;

namespace DeadlineAlerts.App.Calendar;

/// <summary>
/// A VTIMEZONE (RFC 5545 §3.6.5) written from the deadline's own <see cref="DateTimeZone"/>, that is from the tz data
/// the installation runs on, over the span of time the feed needs: one STANDARD or DAYLIGHT observance per zone
/// interval that overlaps the span, each with its onset (DTSTART, the local time of the change read in the offset
/// before it, as RFC 5545 writes onsets), TZOFFSETFROM, TZOFFSETTO and TZNAME. No RRULE is guessed: a rule that
/// changes (a zone that drops DST in 2027) is written as it is, and a deadline decades ahead gets the observances of
/// its own year.
/// <para>Ical.Net's <c>VTimeZone.FromDateTimeZone</c> is not used: it reads its own embedded tz data and builds
/// intervals from the earliest date up to the machine's clock, so a deadline more than about two years ahead made
/// it throw (the feed answered 500 and <c>dla export --format ics</c> aborted).</para>
/// </summary>
public static class CalendarTimeZones
{
    /// <summary>The onset written for an interval that has no start in the tz data (a zone that never changed).</summary>
    private static readonly LocalDateTime Forever = new(1970, 1, 1, 0, 0);

    /// <summary>The observances of <paramref name="zone"/> in force at any instant of [<paramref name="from"/>, <paramref name="to"/>].</summary>
    public static VTimeZone For(DateTimeZone zone, Instant from, Instant to)
    {
        var tz = new VTimeZone();
        tz.Properties.Set("TZID", zone.Id);
        foreach (var interval in zone.GetZoneIntervals(from, to <= from ? from + Duration.FromTicks(1) : to))
        {
            // The offset before the onset: that of the interval ending where this one starts.
            var before = interval.HasStart ? zone.GetZoneInterval(interval.Start - Duration.Epsilon).WallOffset : interval.WallOffset;
            var onset = interval.HasStart ? interval.Start.WithOffset(before).LocalDateTime : Forever;
            var observance = new VTimeZoneInfo
            {
                Name = interval.Savings == Offset.Zero ? Components.Standard : Components.Daylight,
                OffsetFrom = new UtcOffset(before.ToTimeSpan()),
                OffsetTo = new UtcOffset(interval.WallOffset.ToTimeSpan()),
                TimeZoneName = interval.Name,
                Start = new CalDateTime(onset.ToDateTimeUnspecified(), true),
            };
            tz.AddChild(observance);
        }
        return tz;
    }
}

using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace DeadlineAlerts.Core.Rendering;

/// <summary>How times are written for people: "Tue 12 Aug 2025 00:01 EDT (America/New_York)".</summary>
public static class TimeText
{
    private static readonly ZonedDateTimePattern Human =
        ZonedDateTimePattern.CreateWithInvariantCulture("ddd d MMM uuuu HH':'mm x", DateTimeZoneProviders.Tzdb);

    private static readonly ZonedDateTimePattern Short =
        ZonedDateTimePattern.CreateWithInvariantCulture("ddd d MMM HH':'mm x", DateTimeZoneProviders.Tzdb);

    /// <summary>Full: date with year, 24-hour time, the zone's abbreviation (or offset where it has none).</summary>
    public static string Full(Instant instant, DateTimeZone zone) => Human.Format(instant.InZone(zone)) + $" ({zone.Id})";

    /// <summary>Short, for subjects: "Tue 12 Aug 00:01 EDT".</summary>
    public static string Brief(Instant instant, DateTimeZone zone) => Short.Format(instant.InZone(zone));

    public static string Iso(Instant instant) => InstantPattern.ExtendedIso.Format(instant);

    private static readonly OffsetDateTimePattern LocalWithOffset =
        OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'sso<+HH:mm>");

    /// <summary>RFC 3339 local time with its offset: "2025-08-12T00:01:00-04:00".</summary>
    public static string IsoLocal(Instant instant, DateTimeZone zone) => LocalWithOffset.Format(instant.InZone(zone).ToOffsetDateTime());

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace DeadlineAlerts.Core.Rendering;

/// <summary>
/// How times are written for people: "Tue 12 Aug 2025 00:01 EDT (America/New_York)". The overloads with a
/// <see cref="MessageLanguage"/> write them as that language does ("2025年8月12日 星期二 12:01 CST (Asia/Shanghai)",
/// "tis 12 aug. 2025 kl. 06:01 CEST (Europe/Stockholm)"): the pattern comes from the language's file, the weekday and
/// month names from its culture (ICU). Those without are English with invariant names, for logs, the CLI and the API.
/// </summary>
public static class TimeText
{
    /// <summary>Full: date with year, 24-hour time, the zone's abbreviation (or offset where it has none), the zone id.</summary>
    public static string Full(Instant instant, DateTimeZone zone) => Full(instant, zone, MessageLanguage.English);

    /// <summary>Short, for subjects: "Tue 12 Aug 00:01 EDT".</summary>
    public static string Brief(Instant instant, DateTimeZone zone) => Brief(instant, zone, MessageLanguage.English);

    /// <summary><see cref="Full(Instant, DateTimeZone)"/> in <paramref name="language"/>.</summary>
    public static string Full(Instant instant, DateTimeZone zone, MessageLanguage language) =>
        language.Text("time.withZone", ("time", language.Format("time.full", instant.InZone(zone))), ("zone", zone.Id));

    /// <summary><see cref="Brief(Instant, DateTimeZone)"/> in <paramref name="language"/>: "8月12日 周二 12:01 CST".</summary>
    public static string Brief(Instant instant, DateTimeZone zone, MessageLanguage language) =>
        language.Format("time.brief", instant.InZone(zone));

    public static string Iso(Instant instant) => InstantPattern.ExtendedIso.Format(instant);

    private static readonly OffsetDateTimePattern LocalWithOffset =
        OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'sso<+HH:mm>");

    /// <summary>RFC 3339 local time with its offset: "2025-08-12T00:01:00-04:00".</summary>
    public static string IsoLocal(Instant instant, DateTimeZone zone) => LocalWithOffset.Format(instant.InZone(zone).ToOffsetDateTime());

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

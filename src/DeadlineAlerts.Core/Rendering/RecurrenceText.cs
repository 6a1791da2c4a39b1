using DeadlineAlerts.Core.Schedule;
using NodaTime;

namespace DeadlineAlerts.Core.Rendering;

/// <summary>
/// Every user-visible string about recurrence, in one place (for translation): the "repeats monthly" line and the
/// "next occurrence" line that messages, calendar descriptions and lists add for a recurring deadline.
/// </summary>
public static class RecurrenceText
{
    /// <summary>"Repeats monthly (FREQ=MONTHLY;BYMONTHDAY=15)", "重复：每月 (FREQ=MONTHLY;BYMONTHDAY=15)".</summary>
    public static string Repeats(Recurrence rule, MessageLanguage? language = null)
    {
        var l = language ?? MessageLanguage.English;
        return l.Text("recurrence.repeats", ("rule", $"{Frequency(rule, l)} ({rule.Text})"));
    }

    /// <summary>"Next occurrence: Sun 15 Mar 09:00 EDT" (brief, in <paramref name="zone"/>).</summary>
    public static string Next(Instant due, DateTimeZone zone, MessageLanguage? language = null)
    {
        var l = language ?? MessageLanguage.English;
        return l.Text("recurrence.next", ("time", TimeText.Brief(due, zone, l)));
    }

    /// <summary>Where a recurring deadline stands once its rule has no further occurrence (COUNT or UNTIL reached).</summary>
    public const string Ended = "series ended";

    /// <summary>The words for RFC 5545's FREQ values a deadline may have (it repeats at most daily).</summary>
    public static string Frequency(Recurrence rule, MessageLanguage? language = null) => rule.Frequency switch
    {
        "daily" or "weekly" or "monthly" or "yearly" => (language ?? MessageLanguage.English).Text("recurrence." + rule.Frequency),
        var other => other,
    };
}

using NodaTime;
using NodaTime.TimeZones;

namespace DeadlineAlerts.Core.Time;

/// <summary>IANA zone lookup with errors that tell the operator what to write instead.</summary>
public static class Zones
{
    /// <summary>
    /// The one tz database every zone lookup uses: the embedded data unless the host loaded
    /// <c>DeadlineAlerts__TimeZoneData</c> (see <see cref="TimeZoneData"/>) and called <see cref="Use"/> at start,
    /// before any record is read. DI's <see cref="IDateTimeZoneProvider"/> is the same instance.
    /// </summary>
    public static IDateTimeZoneProvider Tzdb { get; private set; } = DateTimeZoneProviders.Tzdb;

    /// <summary>Makes <paramref name="provider"/> the tz data of every lookup in this process.</summary>
    public static void Use(IDateTimeZoneProvider provider) => Tzdb = provider;

    public static DateTimeZone? Find(string? id) => id is null ? null : Tzdb.GetZoneOrNull(id.Trim());

    /// <summary>Null when <paramref name="id"/> is a known IANA zone; otherwise what is wrong and the fix.</summary>
    public static string? Problem(string? id)
    {
        if (string.IsNullOrWhiteSpace(id)) return "is missing; give an IANA time zone id such as America/New_York";
        if (Find(id) is not null) return null;
        var windows = TzdbDateTimeZoneSource.Default.WindowsMapping.PrimaryMapping;
        var key = windows.Keys.FirstOrDefault(k => string.Equals(k, id.Trim(), StringComparison.OrdinalIgnoreCase));
        if (key is not null)
            return $"is a Windows time zone id; use the IANA id {windows[key]} instead";
        var hint = Tzdb.Ids.FirstOrDefault(z => string.Equals(z, id.Trim(), StringComparison.OrdinalIgnoreCase)
                                                || z.EndsWith("/" + id.Trim().Replace(' ', '_'), StringComparison.OrdinalIgnoreCase));
        return hint is not null
            ? $"is not an IANA time zone id; did you mean {hint}?"
            : "is not an IANA time zone id; give one such as America/New_York, Europe/Stockholm or Asia/Shanghai";
    }
}

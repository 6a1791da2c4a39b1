using NodaTime;
using NodaTime.TimeZones;

namespace DeadlineAlerts.Core.Time;

/// <summary>
/// The tz data in use: the provider every zone lookup goes through, its TZDB version (e.g. "2026f") and where it
/// came from. Built from a NodaTime <c>.nzd</c> stream (the format NodaTime publishes for every tz release) or the
/// data embedded in NodaTime.
/// </summary>
public sealed class TimeZoneData
{
    private TimeZoneData(IDateTimeZoneProvider provider, string version, string source, string? warning)
    {
        Provider = provider;
        Version = version;
        Source = source;
        Warning = warning;
    }

    public IDateTimeZoneProvider Provider { get; }

    /// <summary>The TZDB release, such as "2026f".</summary>
    public string Version { get; }

    /// <summary>"embedded" or the file the data was read from (never a URL's query).</summary>
    public string Source { get; }

    /// <summary>Set when the file is older than the data embedded in this build: it is used, but said so.</summary>
    public string? Warning { get; }

    /// <summary>The TZDB release embedded in the NodaTime this build runs.</summary>
    public static string EmbeddedVersion => TzdbDateTimeZoneSource.Default.TzdbVersion;

    public static TimeZoneData Embedded { get; } =
        new(DateTimeZoneProviders.Tzdb, TzdbDateTimeZoneSource.Default.TzdbVersion, "embedded", null);

    /// <summary>Reads a <c>.nzd</c> stream; <paramref name="source"/> names it in messages.</summary>
    /// <exception cref="InvalidDataException">The stream is not NodaTime tz data.</exception>
    public static TimeZoneData FromStream(Stream stream, string source)
    {
        TzdbDateTimeZoneSource tzdb;
        try { tzdb = TzdbDateTimeZoneSource.FromStream(stream); }
        catch (Exception e) when (e is NodaTime.Utility.InvalidNodaDataException or EndOfStreamException or ArgumentException)
        {
            throw new InvalidDataException(
                $"DeadlineAlerts__TimeZoneData: {source} is not a NodaTime .nzd tz data file ({e.Message}); download one from https://nodatime.org/tzdb/",
                e);
        }
        var version = tzdb.TzdbVersion;
        // TZDB releases are named year + letter ("2025b" < "2026f"), so ordinal order is release order.
        var warning = string.CompareOrdinal(version, EmbeddedVersion) < 0
            ? $"DeadlineAlerts__TimeZoneData: {source} holds tz data {version}, older than the embedded {EmbeddedVersion}; it is used as configured, but zones whose rules changed since then alert at the old instants"
            : null;
        return new TimeZoneData(new DateTimeZoneCache(tzdb), version, source, warning);
    }
}

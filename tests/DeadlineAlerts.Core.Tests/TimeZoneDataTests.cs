using DeadlineAlerts.Core.Time;
using NodaTime;

namespace DeadlineAlerts.Core.Tests;

/// <summary>Two real tz releases: 2025b (embedded in NodaTime 3.2.2, tests/TzData) and 2026f (embedded today).</summary>
public sealed class TimeZoneDataTests
{
    private static TimeZoneData Load2025b()
    {
        using var file = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "TzData", "tzdb2025b.nzd"));
        return TimeZoneData.FromStream(file, "tzdb2025b.nzd");
    }

    [Fact]
    public void The_embedded_data_is_2026f_and_has_no_warning()
    {
        Assert.Equal("2026f", TimeZoneData.Embedded.Version);
        Assert.Equal("embedded", TimeZoneData.Embedded.Source);
        Assert.Null(TimeZoneData.Embedded.Warning);
    }

    [Fact]
    public void An_older_file_is_used_but_warned_about()
    {
        var data = Load2025b();

        Assert.Equal("2025b", data.Version);
        Assert.Equal("tzdb2025b.nzd holds tz data 2025b, older than the embedded 2026f; it is used as configured, but zones whose rules changed since then alert at the old instants",
            data.Warning!.Replace("DeadlineAlerts__TimeZoneData: ", ""));
    }

    [Theory]
    [InlineData("America/Vancouver")]
    [InlineData("America/Edmonton")]
    [InlineData("America/Havana")]
    public void The_same_local_due_time_is_a_different_instant_in_2025b_and_2026f(string zoneId)
    {
        var due = new LocalDateTime(2026, 12, 14, 9, 0);
        var old = due.InZoneLeniently(Load2025b().Provider[zoneId]).ToInstant();
        var now = due.InZoneLeniently(TimeZoneData.Embedded.Provider[zoneId]).ToInstant();

        Assert.NotEqual(old, now);
    }

    [Fact]
    public void A_file_that_is_not_tz_data_is_refused_naming_the_file()
    {
        using var junk = new MemoryStream("not tz data"u8.ToArray());

        var e = Assert.Throws<InvalidDataException>(() => TimeZoneData.FromStream(junk, "/etc/junk.nzd"));

        Assert.StartsWith("DeadlineAlerts__TimeZoneData: /etc/junk.nzd is not a NodaTime .nzd tz data file", e.Message);
    }
}

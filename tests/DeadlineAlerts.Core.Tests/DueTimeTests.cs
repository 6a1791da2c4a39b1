using DeadlineAlerts.Core.Schedule;
using NodaTime;
using static DeadlineAlerts.Core.Tests.Given;

namespace DeadlineAlerts.Core.Tests;

public class DueTimeTests
{
    private static DueTimeParse Parse(string text, string zone) => DueTime.Parse(text, Zone(zone));

    [Fact]
    public void An_ordinary_local_time_resolves_to_its_instant_and_keeps_what_the_operator_typed()
    {
        var parsed = Parse("2025-08-12T00:01", "America/New_York");

        Assert.Null(parsed.Problem);
        Assert.Null(parsed.Warning);
        Assert.Equal(Utc("2025-08-12T04:01:00Z"), parsed.Value!.Instant); // EDT, -04:00
        Assert.Equal(new LocalDateTime(2025, 8, 12, 0, 1), parsed.Value.Local);
    }

    [Fact]
    public void A_local_time_skipped_by_the_spring_change_moves_forward_by_the_gap_with_a_warning_naming_it()
    {
        var parsed = Parse("2026-03-08T02:30", "America/New_York");

        Assert.Null(parsed.Problem);
        Assert.Equal(Utc("2026-03-08T07:30:00Z"), parsed.Value!.Instant); // 03:30 EDT
        Assert.NotNull(parsed.Warning);
        Assert.Contains("2026-03-08T02:30", parsed.Warning);
        Assert.Contains("does not exist", parsed.Warning);
        Assert.Contains("America/New_York", parsed.Warning);
        Assert.Contains("03:30", parsed.Warning);
    }

    [Fact]
    public void A_local_time_skipped_by_the_EU_spring_change_in_Stockholm_moves_forward_by_the_gap()
    {
        var parsed = Parse("2026-03-29T02:30", "Europe/Stockholm");

        Assert.Equal(Utc("2026-03-29T01:30:00Z"), parsed.Value!.Instant); // 03:30 CEST
        Assert.Contains("Europe/Stockholm", parsed.Warning);
    }

    [Fact]
    public void An_ambiguous_local_time_without_an_offset_takes_the_earlier_instant()
    {
        var parsed = Parse("2026-11-01T01:30", "America/New_York");

        Assert.Null(parsed.Problem);
        Assert.Equal(Utc("2026-11-01T05:30:00Z"), parsed.Value!.Instant); // 01:30 EDT
    }

    [Fact]
    public void An_ambiguous_local_time_with_the_standard_offset_takes_the_later_instant()
    {
        var parsed = Parse("2026-11-01T01:30-05:00", "America/New_York");

        Assert.Null(parsed.Problem);
        Assert.Equal(Utc("2026-11-01T06:30:00Z"), parsed.Value!.Instant); // 01:30 EST
        Assert.Equal(new LocalDateTime(2026, 11, 1, 1, 30), parsed.Value.Local);
    }

    [Fact]
    public void An_ambiguous_local_time_with_the_daylight_offset_takes_the_earlier_instant()
    {
        Assert.Equal(Utc("2026-11-01T05:30:00Z"), Parse("2026-11-01T01:30-04:00", "America/New_York").Value!.Instant);
    }

    [Fact]
    public void An_offset_the_zone_never_has_at_that_time_is_an_error_naming_the_valid_offsets()
    {
        var parsed = Parse("2026-11-01T01:30+02:00", "America/New_York");

        Assert.Null(parsed.Value);
        Assert.Contains("+02:00", parsed.Problem);
        Assert.Contains("America/New_York", parsed.Problem);
        Assert.Contains("-04:00", parsed.Problem);
        Assert.Contains("-05:00", parsed.Problem);
    }

    [Fact]
    public void A_winter_offset_on_a_summer_date_is_an_error_naming_the_summer_offset()
    {
        var parsed = Parse("2026-07-01T12:00-05:00", "America/New_York");

        Assert.Null(parsed.Value);
        Assert.Contains("-04:00", parsed.Problem);
    }

    [Fact]
    public void An_offset_on_a_skipped_local_time_is_an_error_saying_the_time_does_not_exist()
    {
        var parsed = Parse("2026-03-08T02:30-05:00", "America/New_York");

        Assert.Null(parsed.Value);
        Assert.Contains("does not exist", parsed.Problem);
    }

    [Fact]
    public void A_half_hour_offset_matching_the_zone_is_accepted()
    {
        Assert.Equal(Utc("2026-03-08T03:30:00Z"), Parse("2026-03-08T09:00+05:30", "Asia/Kolkata").Value!.Instant);
        Assert.Equal(Utc("2026-03-08T03:15:00Z"), Parse("2026-03-08T09:00+05:45", "Asia/Kathmandu").Value!.Instant);
    }

    [Fact]
    public void A_trailing_Z_is_read_as_UTC()
    {
        Assert.Equal(Utc("2026-03-08T09:00:00Z"), Parse("2026-03-08T09:00Z", "Etc/UTC").Value!.Instant);
    }

    [Fact]
    public void Seconds_are_accepted()
    {
        Assert.Equal(Utc("2025-08-12T04:01:30Z"), Parse("2025-08-12T00:01:30", "America/New_York").Value!.Instant);
    }

    [Theory]
    [InlineData("tomorrow")]
    [InlineData("12/08/2025 00:01")]
    [InlineData("2025-08-12")]
    public void Text_that_is_not_a_local_date_time_is_an_error_saying_what_is_accepted(string text)
    {
        var parsed = Parse(text, "America/New_York");

        Assert.Null(parsed.Value);
        Assert.Contains("2025-08-12T00:01", parsed.Problem);
    }

    [Fact]
    public void A_missing_due_time_is_an_error()
    {
        Assert.Contains("missing", DueTime.Parse("  ", Zone("America/New_York")).Problem);
    }
}

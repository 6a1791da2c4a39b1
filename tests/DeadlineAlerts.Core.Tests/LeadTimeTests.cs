using DeadlineAlerts.Core.Schedule;
using NodaTime;
using static DeadlineAlerts.Core.Tests.Given;

namespace DeadlineAlerts.Core.Tests;

/// <summary>
/// Lead times read the RFC 5545 way: the date part counts on the deadline's local calendar, the time part
/// is exact elapsed time. Every expected instant below was worked out by hand from the tz rules.
/// </summary>
public class LeadTimeTests
{
    private static Instant Fire(string lead, string dueLocal, string zone) =>
        LeadTime.Parse(lead).FireInstantBefore(DueZoned(dueLocal, zone));

    // New York, 8 March 2026: clocks go forward at 02:00 EST -> 03:00 EDT. 09:00 EDT = 13:00Z.

    [Fact]
    public void P1D_before_the_spring_forward_day_in_New_York_fires_at_the_same_wall_time_the_day_before_23_real_hours_earlier()
    {
        var fire = Fire("P1D", "2026-03-08T09:00", "America/New_York");

        Assert.Equal(Utc("2026-03-07T14:00:00Z"), fire); // 09:00 EST on 7 March
        Assert.Equal(Duration.FromHours(23), Utc("2026-03-08T13:00:00Z") - fire);
    }

    [Fact]
    public void PT24H_before_the_spring_forward_day_in_New_York_fires_24_real_hours_earlier_at_08_00_local()
    {
        Assert.Equal(Utc("2026-03-07T13:00:00Z"), Fire("PT24H", "2026-03-08T09:00", "America/New_York"));
    }

    [Fact]
    public void P1D_and_PT24H_are_different_lead_times()
    {
        Assert.NotEqual(LeadTime.Parse("P1D"), LeadTime.Parse("PT24H"));
        Assert.Equal("PT24H", LeadTime.Parse("PT24H").Text);
    }

    // Stockholm: 29 March 2026 02:00 CET -> 03:00 CEST; 25 October 2026 03:00 CEST -> 02:00 CET.

    [Fact]
    public void P1D_before_the_EU_spring_change_in_Stockholm_fires_at_09_00_CET_the_day_before()
    {
        // due 09:00 CEST (+02:00) = 07:00Z; day before 09:00 CET (+01:00) = 08:00Z
        Assert.Equal(Utc("2026-03-28T08:00:00Z"), Fire("P1D", "2026-03-29T09:00", "Europe/Stockholm"));
        Assert.Equal(Utc("2026-03-28T07:00:00Z"), Fire("PT24H", "2026-03-29T09:00", "Europe/Stockholm"));
    }

    [Fact]
    public void P1D_before_the_EU_autumn_change_in_Stockholm_fires_at_09_00_CEST_the_day_before_25_real_hours_earlier()
    {
        // due 09:00 CET (+01:00) = 08:00Z; day before 09:00 CEST (+02:00) = 07:00Z
        var fire = Fire("P1D", "2026-10-25T09:00", "Europe/Stockholm");

        Assert.Equal(Utc("2026-10-24T07:00:00Z"), fire);
        Assert.Equal(Duration.FromHours(25), Utc("2026-10-25T08:00:00Z") - fire);
        Assert.Equal(Utc("2026-10-24T08:00:00Z"), Fire("PT24H", "2026-10-25T09:00", "Europe/Stockholm")); // 10:00 CEST
    }

    [Fact]
    public void Lead_times_in_Kolkata_keep_the_half_hour_offset()
    {
        // Asia/Kolkata is +05:30 all year: 09:00 local = 03:30Z
        Assert.Equal(Utc("2026-03-07T03:30:00Z"), Fire("P1D", "2026-03-08T09:00", "Asia/Kolkata"));
        Assert.Equal(Utc("2026-03-08T02:30:00Z"), Fire("PT1H", "2026-03-08T09:00", "Asia/Kolkata"));
        Assert.Equal(Utc("2026-03-06T15:30:00Z"), Fire("P1DT12H", "2026-03-08T09:00", "Asia/Kolkata"));
    }

    [Fact]
    public void P1D_before_Adelaide_leaves_daylight_time_fires_at_09_00_ACDT_the_day_before_25_real_hours_earlier()
    {
        // 5 April 2026 03:00 ACDT (+10:30) -> 02:00 ACST (+09:30). Due 09:00 ACST = 4 April 23:30Z.
        var fire = Fire("P1D", "2026-04-05T09:00", "Australia/Adelaide");

        Assert.Equal(Utc("2026-04-03T22:30:00Z"), fire); // 09:00 ACDT on 4 April
        Assert.Equal(Duration.FromHours(25), Utc("2026-04-04T23:30:00Z") - fire);
        Assert.Equal(Utc("2026-04-03T23:30:00Z"), Fire("PT24H", "2026-04-05T09:00", "Australia/Adelaide"));
    }

    [Fact]
    public void P1D_before_Adelaide_enters_daylight_time_fires_at_09_00_ACST_the_day_before_23_real_hours_earlier()
    {
        // 4 October 2026 02:00 ACST (+09:30) -> 03:00 ACDT (+10:30). Due 09:00 ACDT = 3 October 22:30Z.
        Assert.Equal(Utc("2026-10-02T23:30:00Z"), Fire("P1D", "2026-10-04T09:00", "Australia/Adelaide"));
    }

    [Fact]
    public void Lead_times_in_Kathmandu_keep_the_45_minute_offset()
    {
        // Asia/Kathmandu is +05:45: 09:00 local = 03:15Z
        Assert.Equal(Utc("2026-03-01T03:15:00Z"), Fire("P1W", "2026-03-08T09:00", "Asia/Kathmandu"));
        Assert.Equal(Utc("2026-03-08T01:45:00Z"), Fire("PT1H30M", "2026-03-08T09:00", "Asia/Kathmandu"));
    }

    [Fact]
    public void Lead_times_in_Eucla_keep_the_45_minute_offset()
    {
        // Australia/Eucla is +08:45: 09:00 local = 00:15Z
        Assert.Equal(Utc("2026-03-07T00:15:00Z"), Fire("P1D", "2026-03-08T09:00", "Australia/Eucla"));
        Assert.Equal(Utc("2026-03-06T12:15:00Z"), Fire("P1DT12H", "2026-03-08T09:00", "Australia/Eucla"));
    }

    [Fact]
    public void PT0S_fires_exactly_at_the_deadline()
    {
        Assert.Equal(Utc("2026-03-08T13:00:00Z"), Fire("PT0S", "2026-03-08T09:00", "America/New_York"));
        Assert.True(LeadTime.Parse("PT0S").IsAtDeadline);
    }

    [Fact]
    public void P1W_across_the_New_York_spring_change_fires_at_the_same_wall_time_a_week_earlier()
    {
        // due 12 March 09:00 EDT = 13:00Z; 5 March 09:00 EST = 14:00Z
        Assert.Equal(Utc("2026-03-05T14:00:00Z"), Fire("P1W", "2026-03-12T09:00", "America/New_York"));
    }

    [Fact]
    public void P1M_before_31_March_fires_on_the_last_day_of_February()
    {
        // 2026 is not a leap year: 28 February 09:00 EST = 14:00Z
        Assert.Equal(Utc("2026-02-28T14:00:00Z"), Fire("P1M", "2026-03-31T09:00", "America/New_York"));
    }

    [Fact]
    public void P1M_before_31_March_of_a_leap_year_fires_on_29_February()
    {
        Assert.Equal(Utc("2028-02-29T14:00:00Z"), Fire("P1M", "2028-03-31T09:00", "America/New_York"));
    }

    [Fact]
    public void P1DT12H_takes_one_calendar_day_then_12_exact_hours()
    {
        // due 8 March 21:00 EDT = 9 March 01:00Z; P1D -> 7 March 21:00 EST = 8 March 02:00Z; minus 12 h = 7 March 14:00Z
        Assert.Equal(Utc("2026-03-07T14:00:00Z"), Fire("P1DT12H", "2026-03-08T21:00", "America/New_York"));
    }

    [Fact]
    public void PT36H_is_exact_time_and_is_not_turned_into_a_nominal_day()
    {
        // 36 real hours before 9 March 01:00Z = 7 March 13:00Z (08:00 EST), one hour earlier than P1DT12H
        Assert.Equal(Utc("2026-03-07T13:00:00Z"), Fire("PT36H", "2026-03-08T21:00", "America/New_York"));
        Assert.Equal("PT36H", LeadTime.Parse("PT36H").Text);
    }

    [Fact]
    public void A_nominal_lead_landing_in_the_spring_gap_moves_forward_by_the_gap()
    {
        // due 9 March 02:30 EDT = 06:30Z; P1D -> 8 March 02:30, which New York skips -> 03:30 EDT = 07:30Z
        Assert.Equal(Utc("2026-03-08T07:30:00Z"), Fire("P1D", "2026-03-09T02:30", "America/New_York"));
    }

    [Fact]
    public void A_nominal_lead_landing_in_the_autumn_overlap_takes_the_earlier_instant()
    {
        // due 2 November 01:30 EST = 06:30Z; P1D -> 1 November 01:30, which happens twice: first at 01:30 EDT = 05:30Z
        Assert.Equal(Utc("2026-11-01T05:30:00Z"), Fire("P1D", "2026-11-02T01:30", "America/New_York"));
    }

    [Theory]
    [InlineData("P1W", "P1W")]
    [InlineData("P1DT12H", "P1DT12H")]
    [InlineData("PT90M", "PT1H30M")]
    [InlineData("PT0S", "PT0S")]
    [InlineData("P0D", "PT0S")]
    public void Lead_times_are_shown_in_a_canonical_form(string typed, string shown)
    {
        Assert.Equal(shown, LeadTime.Parse(typed).Text);
    }

    [Theory]
    [InlineData("-P1D", "negative")]
    [InlineData("P-1D", "negative")]
    [InlineData("P1X", "ISO 8601 duration")]
    [InlineData("1 day", "ISO 8601 duration")]
    [InlineData("", "empty")]
    public void Unreadable_lead_times_are_refused_saying_what_is_accepted(string text, string expected)
    {
        Assert.False(LeadTime.TryParse(text, out _, out var problem));
        Assert.Contains(expected, problem);
    }

    [Fact]
    public void Lead_times_order_longest_first()
    {
        var ordered = new[] { "PT1H", "P30D", "P1D", "P1W" }.Select(LeadTime.Parse).OrderByDescending(l => l).Select(l => l.Text);
        Assert.Equal(["P30D", "P1W", "P1D", "PT1H"], ordered);
    }
}

public sealed class LeadTimeWordsTests
{
    [Theory]
    [InlineData("P30D", "30 days before")]
    [InlineData("P1D", "1 day before")]
    [InlineData("PT1H", "1 hour before")]
    [InlineData("PT90M", "1 hour, 30 minutes before")]
    [InlineData("P1M2W", "1 month, 2 weeks before")]
    [InlineData("P1DT12H", "1 day, 12 hours before")]
    [InlineData("PT0S", "at the deadline")]
    public void A_lead_time_reads_as_a_person_says_it(string text, string words) =>
        Assert.Equal(words, DeadlineAlerts.Core.Schedule.LeadTime.Parse(text).Words);
}

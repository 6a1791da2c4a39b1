using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Schedule;
using NodaTime;
using static DeadlineAlerts.Core.Tests.Given;

namespace DeadlineAlerts.Core.Tests;

public class DigestScheduleTests
{
    private static readonly DigestChoice MondayEight = DigestChoice.Weekly(IsoDayOfWeek.Monday, new LocalTime(8, 0));
    private static readonly DateTimeZone Stockholm = Zone("Europe/Stockholm");

    [Fact]
    public void A_weekly_digest_is_at_eight_local_every_monday_across_the_october_clock_change()
    {
        // Sweden leaves summer time on Sunday 26 October 2025: Monday 08:00 is 06:00Z before, 07:00Z after.
        var before = DigestSchedule.PeriodContaining(MondayEight, Stockholm, Utc("2025-10-25T12:00:00Z"));
        var after = DigestSchedule.Next(MondayEight, Stockholm, before);

        Assert.Equal(new LocalDate(2025, 10, 20), before.Date);
        Assert.Equal(Utc("2025-10-20T06:00:00Z"), before.SendAt);
        Assert.Equal(new LocalDate(2025, 10, 27), after.Date);
        Assert.Equal(Utc("2025-10-27T07:00:00Z"), after.SendAt);
    }

    [Fact]
    public void The_period_turns_exactly_at_the_send_instant()
    {
        Assert.Equal("2025-10-20", DigestSchedule.PeriodContaining(MondayEight, Stockholm, Utc("2025-10-27T06:59:59Z")).Key);
        Assert.Equal("2025-10-27", DigestSchedule.PeriodContaining(MondayEight, Stockholm, Utc("2025-10-27T07:00:00Z")).Key);
        // Monday before 08:00 local still belongs to last week's period.
        Assert.Equal("2025-10-13", DigestSchedule.PeriodContaining(MondayEight, Stockholm, Utc("2025-10-20T05:00:00Z")).Key);
    }

    [Fact]
    public void A_daily_digest_moves_out_of_a_gap_and_takes_the_earlier_of_a_repeated_time()
    {
        var twoThirty = DigestChoice.Daily(new LocalTime(2, 30));

        // 02:30 does not exist on 30 March 2025 in Stockholm (02:00 → 03:00): sent at 03:30 CEST.
        Assert.Equal(Utc("2025-03-30T01:30:00Z"), DigestSchedule.At(twoThirty, Stockholm, new LocalDate(2025, 3, 30)).SendAt);
        // 02:30 happens twice on 26 October 2025: the first one (CEST).
        Assert.Equal(Utc("2025-10-26T00:30:00Z"), DigestSchedule.At(twoThirty, Stockholm, new LocalDate(2025, 10, 26)).SendAt);
        Assert.Equal(Utc("2025-10-27T01:30:00Z"), DigestSchedule.At(twoThirty, Stockholm, new LocalDate(2025, 10, 27)).SendAt);
    }

    [Fact]
    public void Digest_choices_are_read_with_per_field_errors_and_need_a_subscriber_zone()
    {
        var reader = new RecordReader(EndpointPolicy.Strict);
        const string channels = "\"channels\": [{\"type\": \"email\", \"address\": \"desk@example.com\"}]";
        var ok = reader.ReadJson($$$"""{"subscribers": [{"id": "s", "name": "S", "timeZone": "Europe/Stockholm", "categories": ["x"], {{{channels}}}, "digest": {"every": "week", "on": "Monday", "at": "08:00"}}]}""", Instant.MinValue);
        Assert.Equal(MondayEight, ok.Subscribers[0].Digest);

        var problems = Assert.Throws<RecordValidationException>(() => reader.ReadJson($$$"""
            {"subscribers": [
              {"id": "a", "name": "A", "categories": ["x"], {{{channels}}}, "digest": {"every": "fortnight", "at": "8am", "hour": 8}},
              {"id": "b", "name": "B", "timeZone": "Europe/Stockholm", "categories": ["x"], {{{channels}}}, "digest": {"every": "week", "on": "funday", "at": "08:00"}},
              {"id": "c", "name": "C", "timeZone": "Europe/Stockholm", "categories": ["x"], {{{channels}}}, "digest": {"every": "day", "on": "monday", "at": "07:30"}}
            ]}
            """, Instant.MinValue)).Problems.Select(p => p.ToString()).ToList();

        Assert.Equal(
        [
            "subscriber a: digest.hour is not a known field of a digest; known fields are every, on, at",
            "subscriber a: digest.every \"fortnight\" is not a digest frequency; use \"day\" or \"week\"",
            "subscriber a: digest.at \"8am\" is not a local time of day; give 24-hour HH:mm, such as \"08:00\"",
            "subscriber a: timeZone is missing; a subscriber with a digest needs an IANA timeZone, such as Europe/Stockholm, for the digest's local time",
            "subscriber b: digest.on \"funday\" is not a day of the week; use monday, tuesday, wednesday, thursday, friday, saturday or sunday",
            "subscriber c: digest.on \"monday\" is only for weekly digests; remove it, or use \"every\": \"week\"",
        ], problems);
    }
}

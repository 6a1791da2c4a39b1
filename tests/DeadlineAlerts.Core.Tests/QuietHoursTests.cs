using System.Text.Json;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Schedule;
using NodaTime;
using static DeadlineAlerts.Core.Tests.Given;

namespace DeadlineAlerts.Core.Tests;

public class QuietHoursTests
{
    private static readonly QuietHours Night = new(new LocalTime(22, 0), new LocalTime(7, 0));

    private static Instant Hold(QuietHours quiet, string at, string zone, bool urgent = false, string? due = null) =>
        quiet.Hold(Utc(at), Zone(zone), urgent, due is null ? null : Utc(due));

    [Fact]
    public void An_alert_after_midnight_waits_until_the_morning_of_the_same_day()
    {
        // 00:01 EDT on 11 Aug is inside 22:00-07:00; it waits for 07:00 EDT.
        Assert.Equal(Utc("2025-08-11T11:00:00Z"), Hold(Night, "2025-08-11T04:01:00Z", "America/New_York", due: "2025-08-12T04:01:00Z"));
    }

    [Fact]
    public void An_alert_before_midnight_waits_until_the_next_morning()
    {
        // 23:00 EDT on 10 Aug waits for 07:00 EDT on 11 Aug.
        Assert.Equal(Utc("2025-08-11T11:00:00Z"), Hold(Night, "2025-08-11T03:00:00Z", "America/New_York", due: "2025-08-12T04:01:00Z"));
    }

    [Fact]
    public void An_alert_outside_quiet_hours_goes_at_its_time()
    {
        Assert.Equal(Utc("2025-08-11T14:00:00Z"), Hold(Night, "2025-08-11T14:00:00Z", "America/New_York", due: "2025-08-12T04:01:00Z"));
        Assert.Equal(Utc("2025-08-11T11:00:00Z"), Hold(Night, "2025-08-11T11:00:00Z", "America/New_York")); // 07:00 itself is awake
    }

    [Fact]
    public void A_daytime_period_that_does_not_cross_midnight_holds_to_its_end()
    {
        var lunch = new QuietHours(new LocalTime(12, 0), new LocalTime(13, 30));
        Assert.Equal(Utc("2025-08-11T17:30:00Z"), Hold(lunch, "2025-08-11T16:15:00Z", "America/New_York"));
        Assert.Equal(Utc("2025-08-11T15:59:00Z"), Hold(lunch, "2025-08-11T15:59:00Z", "America/New_York"));
    }

    [Fact]
    public void In_Stockholm_the_night_clocks_go_back_is_an_hour_longer_and_ends_at_seven_local()
    {
        // 23:00 CEST on 25 Oct 2025 (21:00Z); clocks go back at 03:00 CEST; 07:00 CET on 26 Oct is 06:00Z.
        Assert.Equal(Utc("2025-10-26T06:00:00Z"), Hold(Night, "2025-10-25T21:00:00Z", "Europe/Stockholm"));
        // 02:30 CET, the second 02:30 of that night (01:30Z), still waits for 07:00 CET.
        Assert.Equal(Utc("2025-10-26T06:00:00Z"), Hold(Night, "2025-10-26T01:30:00Z", "Europe/Stockholm"));
    }

    [Fact]
    public void In_New_York_the_night_clocks_go_back_ends_at_seven_EST()
    {
        // 00:30 EDT on 2 Nov 2025 (04:30Z) waits for 07:00 EST (12:00Z), eight and a half real hours later.
        Assert.Equal(Utc("2025-11-02T12:00:00Z"), Hold(Night, "2025-11-02T04:30:00Z", "America/New_York"));
    }

    [Fact]
    public void An_end_time_that_occurs_twice_is_the_first_occurrence_not_before_the_alert()
    {
        var quiet = new QuietHours(new LocalTime(22, 0), new LocalTime(1, 30));
        // 01:10 EDT (05:10Z) waits for the first 01:30 (EDT, 05:30Z).
        Assert.Equal(Utc("2025-11-02T05:30:00Z"), Hold(quiet, "2025-11-02T05:10:00Z", "America/New_York"));
        // 01:10 EST (06:10Z) comes after the first 01:30 and waits for the second (EST, 06:30Z).
        Assert.Equal(Utc("2025-11-02T06:30:00Z"), Hold(quiet, "2025-11-02T06:10:00Z", "America/New_York"));
    }

    [Fact]
    public void An_end_time_skipped_by_the_spring_change_moves_forward_by_the_gap()
    {
        // Stockholm 30 Mar 2025: 02:00 CET becomes 03:00 CEST, so 02:30 does not exist; the hold ends at 03:30 CEST (01:30Z).
        var quiet = new QuietHours(new LocalTime(22, 0), new LocalTime(2, 30));
        Assert.Equal(Utc("2025-03-30T01:30:00Z"), Hold(quiet, "2025-03-29T23:30:00Z", "Europe/Stockholm"));
    }

    [Fact]
    public void An_alert_whose_hold_would_pass_the_deadline_goes_at_once()
    {
        // PT1H before 00:01 EDT on 12 Aug fires at 23:01 EDT; 07:00 would be after the deadline.
        Assert.Equal(Utc("2025-08-12T03:01:00Z"), Hold(Night, "2025-08-12T03:01:00Z", "America/New_York", due: "2025-08-12T04:01:00Z"));
    }

    [Fact]
    public void Urgent_messages_pass_through_unless_the_subscriber_holds_them_too()
    {
        Assert.Equal(Utc("2025-08-11T04:01:00Z"), Hold(Night, "2025-08-11T04:01:00Z", "America/New_York", urgent: true));
        var strict = Night with { UrgentPassesThrough = false };
        Assert.Equal(Utc("2025-08-11T11:00:00Z"), Hold(strict, "2025-08-11T04:01:00Z", "America/New_York", urgent: true));
    }

    [Fact]
    public void The_planner_holds_lead_alerts_in_the_subscribers_zone_and_lets_due_now_through()
    {
        var d = Deadline(due: "2025-08-12T00:01", leadTimes: ["P7D", "P1D", "PT1H", "PT0S"], armedAt: "2025-07-01T00:00:00Z");
        var s = Subscriber(zone: "America/Chicago", createdAt: "2025-07-01T00:00:00Z") with { QuietHours = Night };
        var plain = AlertPlanner.Plan(d, s with { QuietHours = null }).ToDictionary(a => a.LeadTime.Text);
        var held = AlertPlanner.Plan(d, s).ToDictionary(a => a.LeadTime.Text);

        // 23:01 CDT on 4 Aug and 10 Aug: held to 07:00 CDT (12:00Z) the next morning.
        Assert.Equal(Utc("2025-08-05T12:00:00Z"), held["P7D"].FireAt);
        Assert.Equal(Utc("2025-08-11T12:00:00Z"), held["P1D"].FireAt);
        // 22:01 CDT on 11 Aug: 07:00 would pass the deadline, so it goes at once.
        Assert.Equal(Utc("2025-08-12T03:01:00Z"), held["PT1H"].FireAt);
        Assert.Equal(Utc("2025-08-12T04:01:00Z"), held["PT0S"].FireAt);
        Assert.Equal(plain["P1D"].Id, held["P1D"].Id); // the id names the alert, not its timing
    }

    [Fact]
    public void A_schedule_row_from_before_the_quiet_hours_changed_no_longer_applies()
    {
        var d = Deadline(due: "2025-08-12T00:01", leadTimes: ["P1D"], armedAt: "2025-07-01T00:00:00Z");
        var before = Subscriber(zone: "America/New_York", createdAt: "2025-07-01T00:00:00Z");
        var after = before with { QuietHours = Night };
        var oldRow = Assert.Single(AlertPlanner.Plan(d, before));
        var newRow = Assert.Single(AlertPlanner.Plan(d, after));

        Assert.False(AlertPlanner.StillApplies(oldRow, d, after));
        Assert.True(AlertPlanner.StillApplies(newRow, d, after));
    }

    private static readonly RecordReader Reader = new(EndpointPolicy.Strict);

    private static string SubscriberFile(object quietHours) => JsonSerializer.Serialize(new
    {
        subscribers = new[]
        {
            new { id = "desk", name = "Desk", timeZone = "Europe/Stockholm", categories = new[] { "tariff" },
                channels = new[] { new { type = "email", address = "desk@example.com" } }, quietHours },
        },
    });

    [Fact]
    public void Quiet_hours_are_read_from_the_import_format_and_written_back_the_same()
    {
        var set = Reader.ReadJson(SubscriberFile(new { from = "22:00", to = "07:00" }), Utc("2025-01-01T00:00:00Z"));
        var quiet = Assert.Single(set.Subscribers).QuietHours!;

        Assert.Equal(new QuietHours(new LocalTime(22, 0), new LocalTime(7, 0), UrgentPassesThrough: true), quiet);
        Assert.Equal("""{"from":"22:00","to":"07:00","urgent":true}""", RecordJson.Subscriber(set.Subscribers[0], false)["quietHours"]!.ToJsonString());
    }

    [Fact]
    public void Bad_quiet_hours_are_refused_field_by_field_with_the_value_and_what_is_accepted()
    {
        var problems = Assert.Throws<RecordValidationException>(() =>
            Reader.ReadJson(SubscriberFile(new { from = "10pm", to = (string?)null, urgent = "yes", until = "x" }), Utc("2025-01-01T00:00:00Z"))).Problems;

        Assert.Contains(problems, p => p.ToString() == "subscriber desk: quietHours.from \"10pm\" is not a time; give a 24-hour local time such as 22:00 (in the subscriber's timeZone, else each deadline's)");
        Assert.Contains(problems, p => p.Record == "subscriber desk" && p.Field == "quietHours.to" && p.Message.StartsWith("is missing", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Field == "quietHours.urgent" && p.Value == "\"yes\"" && p.Message.StartsWith("must be true", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Field == "quietHours.until" && p.Message.Contains("known fields are from, to, urgent"));
        Assert.Equal(4, problems.Count);

        var same = Assert.Single(Assert.Throws<RecordValidationException>(() =>
            Reader.ReadJson(SubscriberFile(new { from = "22:00", to = "22:00" }), Utc("2025-01-01T00:00:00Z"))).Problems);
        Assert.Equal("subscriber desk: quietHours.to \"22:00\" is the same as from; give a period such as 22:00 to 07:00, or leave quietHours out", same.ToString());
    }
}

using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using NodaTime;
using static DeadlineAlerts.Core.Tests.Given;

namespace DeadlineAlerts.Core.Tests;

public class CountdownTests
{
    private static readonly Instant Due = Utc("2025-08-12T04:01:00Z");

    private static string Left(Duration remaining) => Countdown.Text(Due - remaining, Due);

    [Fact]
    public void Days_and_hours_read_as_the_two_largest_units() =>
        Assert.Equal("7 days, 3 hours left", Left(Duration.FromDays(7) + Duration.FromHours(3)));

    [Fact]
    public void Exactly_one_day_is_singular() => Assert.Equal("1 day left", Left(Duration.FromDays(1)));

    [Fact]
    public void Hours_and_minutes_are_singular_or_plural_as_counted()
    {
        Assert.Equal("1 hour, 1 minute left", Left(Duration.FromMinutes(61)));
        Assert.Equal("2 hours, 30 minutes left", Left(Duration.FromMinutes(150)));
        Assert.Equal("45 minutes left", Left(Duration.FromMinutes(45)));
        Assert.Equal("1 minute left", Left(Duration.FromMinutes(1)));
    }

    [Fact]
    public void Within_a_minute_either_side_it_reads_due_now()
    {
        Assert.Equal("due now", Left(Duration.Zero));
        Assert.Equal("due now", Left(Duration.FromSeconds(59)));
        Assert.Equal("due now", Left(Duration.FromSeconds(-59)));
    }

    [Fact]
    public void After_the_deadline_it_reads_late() =>
        Assert.Equal("12 minutes late", Left(-Duration.FromMinutes(12)));

    [Fact]
    public void The_past_word_can_be_overdue() =>
        Assert.Equal("2 days, 1 hour overdue", Countdown.Text(Due + Duration.FromHours(49), Due, "overdue"));

    [Fact]
    public void An_alert_sent_20_seconds_after_seven_days_before_still_reads_7_days_left() =>
        Assert.Equal("7 days left", Left(Duration.FromDays(7) - Duration.FromSeconds(20)));

    [Fact]
    public void Just_under_an_hour_rounds_to_the_minute_and_reads_1_hour() =>
        Assert.Equal("1 hour left", Left(Duration.FromMinutes(59) + Duration.FromSeconds(40)));
}

public class MessageViewTests
{
    private static Deadline TariffTruce(string? source = null) => Deadline(id: "us-china-tariff-truce", due: "2025-08-12T00:01",
        zone: "America/New_York", leadTimes: ["P7D"], armedAt: "2025-05-14T00:00:00Z") with
    {
        Title = "US-China tariff truce expires",
        Source = source,
    };

    private static AlertMessage View(string? subscriberZone = "Asia/Shanghai", Instant? lateNow = null, string? source = null)
    {
        var d = TariffTruce(source);
        var s = Subscriber(id: "beijing-desk", zone: subscriberZone, createdAt: "2025-05-14T00:00:00Z");
        var alert = AlertPlanner.Plan(d, s).Single();
        return new AlertMessage(alert, d, s, lateNow ?? alert.FireAt, late: lateNow is not null);
    }

    [Fact]
    public void The_headline_gives_the_countdown_title_and_due_time_in_the_deadlines_zone()
    {
        Assert.Equal("7 days left: US-China tariff truce expires, Tue 12 Aug 00:01 EDT", View().Headline);
    }

    [Fact]
    public void The_plain_text_shows_the_due_time_in_the_deadlines_zone_and_the_subscribers()
    {
        Assert.Equal(
            "7 days left: US-China tariff truce expires, Tue 12 Aug 00:01 EDT\n" +
            "Due: Tue 12 Aug 2025 00:01 EDT (America/New_York)\n" +
            "Your time: Tue 12 Aug 2025 12:01 CST (Asia/Shanghai)",
            View().PlainText);
    }

    [Fact]
    public void A_subscriber_in_the_deadlines_zone_gets_no_second_time_line()
    {
        Assert.DoesNotContain("Your time", View(subscriberZone: null).PlainText);
        Assert.DoesNotContain("Your time", View(subscriberZone: "America/New_York").PlainText);
    }

    [Fact]
    public void A_late_alert_counts_down_from_when_it_is_sent_and_says_it_is_late()
    {
        // sent at 11 August 22:00Z, 6 hours 1 minute before 12 August 04:01Z
        var view = View(lateNow: Utc("2025-08-11T22:00:00Z"));

        Assert.StartsWith("6 hours, 1 minute left: US-China tariff truce expires, Tue 12 Aug 00:01 EDT (late alert)\n", view.PlainText);
    }

    [Fact]
    public void The_source_link_is_included_when_there_is_one()
    {
        Assert.EndsWith("\nSource: https://example.com/truce", View(source: "https://example.com/truce").PlainText);
    }

    [Theory]
    [InlineData("Europe/Stockholm", "Tue 12 Aug 2025 06:01 CEST (Europe/Stockholm)")]
    [InlineData("Asia/Kolkata", "Tue 12 Aug 2025 09:31 IST (Asia/Kolkata)")]
    [InlineData("Asia/Kathmandu", "Tue 12 Aug 2025 09:46 +0545 (Asia/Kathmandu)")]
    [InlineData("Australia/Adelaide", "Tue 12 Aug 2025 13:31 ACST (Australia/Adelaide)")]
    public void The_subscribers_time_is_written_in_their_zone(string zone, string expected)
    {
        Assert.Equal(expected, View(subscriberZone: zone).DueInSubscriberZone);
    }
}

public class RedactionTests
{
    [Theory]
    [InlineData("https://hooks.slack.com/services/T000/B000/XXXX", "https://hooks.slack.com/***")]
    [InlineData("https://api.telegram.org/bot123456:TOKEN/sendMessage", "https://api.telegram.org/***")]
    [InlineData("https://hooks.example.com/hook/SECRET", "https://hooks.example.com/***")]
    [InlineData("https://hooks.example.com/SECRET", "https://hooks.example.com/***")]
    [InlineData("https://hooks.example.com/hook?token=SECRET", "https://hooks.example.com/***")]
    [InlineData("http://127.0.0.1:5099/beijing-desk", "http://127.0.0.1:5099/***")]
    [InlineData("https://user:SECRET@hooks.example.com/a/b/c", "https://hooks.example.com/***")]
    [InlineData("not a url SECRET", "***")]
    public void A_url_keeps_only_scheme_host_and_port_and_hides_every_path_segment_and_query(string url, string shown)
    {
        Assert.Equal(shown, Redaction.Url(url));
    }

    [Fact]
    public void An_email_target_is_shown_as_is_and_a_url_target_redacted()
    {
        Assert.Equal("desk@example.com", new ChannelSpec { Type = ChannelSpec.Email, Target = "desk@example.com" }.Redacted);
        Assert.Equal("https://hooks.slack.com/***",
            new ChannelSpec { Type = ChannelSpec.Slack, Target = "https://hooks.slack.com/services/T000/B000/XXXX" }.Redacted);
    }

    [Fact]
    public void A_channel_id_is_stable_and_does_not_contain_the_target()
    {
        var a = new ChannelSpec { Type = ChannelSpec.Webhook, Target = "https://hooks.example.com/services/SECRET" };
        var b = new ChannelSpec { Type = ChannelSpec.Webhook, Target = "https://hooks.example.com/services/SECRET", Secret = "whsec_x" };

        Assert.Equal(a.Id, b.Id);
        Assert.StartsWith("webhook-", a.Id.Value);
        Assert.DoesNotContain("SECRET", a.Id.Value);
    }
}

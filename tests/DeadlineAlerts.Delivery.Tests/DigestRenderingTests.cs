using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Delivery.Email;
using DeadlineAlerts.Delivery.Slack;
using DeadlineAlerts.Delivery.Teams;
using NodaTime;

namespace DeadlineAlerts.Delivery.Tests;

/// <summary>Every channel says the same digest, in the subscriber's zone, with record text escaped for its medium.</summary>
public sealed class DigestRenderingTests
{
    internal static DigestMessage Digest(string title = "US-China tariff truce expires")
    {
        var zone = DateTimeZoneProviders.Tzdb["Europe/Stockholm"];
        var subscriber = new Subscriber
        {
            Id = "desk",
            Name = "Stockholm desk",
            TimeZone = zone,
            Categories = ["tariff"],
            Digest = DigestChoice.Weekly(IsoDayOfWeek.Monday, new LocalTime(8, 0)),
        };
        var ny = DateTimeZoneProviders.Tzdb["America/New_York"];
        Deadline D(string id, string t, LocalDateTime due) => new()
        {
            Id = id,
            Title = t,
            Category = "tariff",
            Due = DueTime.Parse(due.ToString("uuuu'-'MM'-'dd'T'HH':'mm", null), ny).Value!,
        };
        var period = DigestSchedule.PeriodContaining(subscriber.Digest, zone, Instant.FromUtc(2025, 10, 27, 7, 0));
        return DigestMessage.Create(subscriber, period,
            [D("truce", title, new LocalDateTime(2025, 11, 10, 0, 1)), D("old", "Old reply", new LocalDateTime(2025, 10, 20, 12, 0))],
            Instant.FromUtc(2025, 10, 27, 7, 0), late: false);
    }

    private static readonly ChannelSpec Inbox = new() { Type = ChannelSpec.Email, Target = "desk@example.com" };

    [Fact]
    public void The_digest_text_lists_countdowns_and_times_in_the_subscribers_zone()
    {
        Assert.Equal(
            "Weekly deadline digest, Mon 27 Oct 08:00 CET: 1 deadline in the next 60 days, 1 overdue\n" +
            "- OVERDUE by 6 days, 15 hours: Old reply, due Mon 20 Oct 18:00 CEST\n" +
            "- 13 days, 22 hours left: US-China tariff truce expires, Mon 10 Nov 06:01 CET",
            Digest().PlainText);
    }

    [Fact]
    public void The_digest_email_escapes_titles_and_carries_one_click_unsubscribe()
    {
        var email = new EmailRenderer(new EmailOptions { From = "alerts@example.com" })
            .Render(Digest("<script>x</script>") with { UnsubscribeUrl = Support.Alerts.Unsubscribe }, Inbox);

        Assert.DoesNotContain("<script>", email.Html);
        Assert.Contains("&lt;script&gt;x&lt;/script&gt;", email.Html);
        Assert.Equal("Weekly deadline digest, Mon 27 Oct 08:00 CET: 1 deadline in the next 60 days, 1 overdue", email.Subject);
        Assert.Equal($"<{Support.Alerts.Unsubscribe}>", email.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", email.Headers["List-Unsubscribe-Post"]);
        Assert.Contains($"Unsubscribe: {Support.Alerts.Unsubscribe}", email.PlainText);
        Assert.StartsWith("dg_", email.MessageId);
        Assert.Contains("You receive this digest every Monday at 08:00 (Europe/Stockholm).", email.PlainText);
    }

    [Fact]
    public void Slack_and_Teams_digests_carry_every_deadline()
    {
        var slack = SlackMessage.Build(Digest("a <b> & c"))["blocks"]![2]!["text"]!["text"]!.GetValue<string>();
        var teams = TeamsMessage.Build(Digest()).ToJsonString();

        Assert.Equal("*OVERDUE by 6 days, 15 hours*: Old reply, due Mon 20 Oct 18:00 CEST\n*13 days, 22 hours left*: a &lt;b&gt; &amp; c, Mon 10 Nov 06:01 CET", slack);
        Assert.Contains("Mon 10 Nov 06:01 CET", teams);
        Assert.Contains("OVERDUE by 6 days, 15 hours", teams);
    }

    [Fact]
    public void Slack_and_Teams_digests_link_to_unsubscribe_when_delivery_gives_them_a_link()
    {
        var digest = Digest() with { UnsubscribeUrl = Support.Alerts.Unsubscribe };

        var context = SlackMessage.Build(digest)["blocks"]!.AsArray().Last()!;
        Assert.Equal($"<{Support.Alerts.Unsubscribe}|Unsubscribe>", (string?)context["elements"]![0]!["text"]);
        Assert.Contains(Support.Alerts.Unsubscribe, TeamsMessage.Build(digest).ToJsonString());
        Assert.DoesNotContain("Unsubscribe", TeamsMessage.Build(Digest()).ToJsonString());
    }
}

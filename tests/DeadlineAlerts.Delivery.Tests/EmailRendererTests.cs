using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Delivery.Email;
using DeadlineAlerts.Delivery.Tests.Support;

namespace DeadlineAlerts.Delivery.Tests;

public sealed class EmailRendererTests
{
    private static readonly ChannelSpec Inbox = new() { Type = ChannelSpec.Email, Target = "desk@example.com" };
    private static RenderedEmail Render(Core.Rendering.MessageView alert) =>
        new EmailRenderer(new EmailOptions { From = "alerts@example.com" }).Render(alert, Inbox);

    [Fact]
    public void Subject_is_the_headline()
    {
        Assert.Equal("7 days left: US-China tariff truce expires, Tue 12 Aug 00:01 EDT", Render(Alerts.Sample()).Subject);
    }

    [Fact]
    public void Subject_strips_crlf_and_control_characters_from_the_title()
    {
        var subject = Render(Alerts.Sample(title: "Truce\r\nBcc: x@example.com\u0000\u2028ends")).Subject;

        Assert.Equal("7 days left: Truce Bcc: x@example.com ends, Tue 12 Aug 00:01 EDT", subject);
    }

    [Fact]
    public void Html_encodes_every_piece_of_record_text()
    {
        var html = Render(Alerts.Sample(title: "<script>alert(1)</script>", notes: "<img src=x onerror=alert(2)>", source: "javascript:alert(3)")).Html;

        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("href=\"javascript:", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
    }

    [Fact]
    public void Bodies_state_both_zones_the_countdown_and_the_source_link()
    {
        var email = Render(Alerts.Sample());

        foreach (var body in new[] { email.Html, email.PlainText })
        {
            Assert.Contains("Tue 12 Aug 2025 00:01 EDT (America/New_York)", body);
            Assert.Contains("Tue 12 Aug 2025 05:01 BST (Europe/London)", body);
            Assert.Contains("7 days left", body);
        }
        Assert.Contains("<a href=\"https://example.org/notice?id=1&amp;x=2\">", email.Html);
    }

    [Fact]
    public void The_signed_unsubscribe_link_is_in_both_bodies_and_an_https_one_gives_one_click_headers()
    {
        var email = Render(Alerts.Sample());
        Assert.Equal($"<{Alerts.Unsubscribe}>", email.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", email.Headers["List-Unsubscribe-Post"]);
        Assert.Contains($"href=\"{Alerts.Unsubscribe}\"", email.Html);
        Assert.Contains($"Unsubscribe: {Alerts.Unsubscribe}", email.PlainText);

        var local = Render(Alerts.Sample(unsubscribeUrl: "http://127.0.0.1:7071/api/unsubscribe?token=abc.def")).Headers;
        Assert.Equal("<http://127.0.0.1:7071/api/unsubscribe?token=abc.def>", local["List-Unsubscribe"]);
        Assert.False(local.ContainsKey("List-Unsubscribe-Post")); // RFC 8058: one-click only over https
    }

    [Fact]
    public void Got_it_is_a_link_in_both_bodies_and_in_no_header()
    {
        var email = Render(Alerts.Sample());

        Assert.Contains($"<a href=\"{Alerts.Acknowledge}\"><strong>Got it</strong></a>", email.Html);
        Assert.Contains($"Got it (stop the remaining reminders of this deadline): {Alerts.Acknowledge}", email.PlainText);
        Assert.Equal(["List-Unsubscribe", "List-Unsubscribe-Post"], email.Headers.Keys.Order());
        Assert.All(email.Headers.Values, v => Assert.DoesNotContain("acknowledge", v));

        var notice = Render(Alerts.ExtensionNotice());
        Assert.DoesNotContain("Got it", notice.Html + notice.PlainText);
    }

    [Fact]
    public void Without_a_signed_link_there_is_no_unsubscribe_link_and_no_header_never_a_broken_link()
    {
        var email = Render(Alerts.Sample(unsubscribeUrl: null, acknowledgeUrl: null));

        Assert.Empty(email.Headers);
        Assert.DoesNotContain("Got it", email.Html + email.PlainText);
        Assert.DoesNotContain("Unsubscribe", email.Html);
        Assert.DoesNotContain("Unsubscribe", email.PlainText);
    }

    [Fact]
    public void Operation_id_is_the_same_for_a_retry_and_differs_per_alert_and_per_address()
    {
        var once = Render(Alerts.Sample()).OperationId;

        Assert.Equal(once, Render(Alerts.Sample()).OperationId);
        Assert.NotEqual(once, Render(Alerts.Sample(subscriberId: "desk-2")).OperationId);
        Assert.NotEqual(once, new EmailRenderer(new EmailOptions()).Render(Alerts.Sample(), Inbox with { Target = "other@example.com" }).OperationId);
        Assert.Equal(8, once.Version);
    }
}

using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Delivery.Email;
using DeadlineAlerts.Delivery.Tests.Support;

namespace DeadlineAlerts.Delivery.Tests;

public sealed class EmailRendererTests
{
    private static readonly ChannelSpec Inbox = new() { Type = ChannelSpec.Email, Target = "desk@example.com" };
    private static RenderedEmail Render(Core.Rendering.AlertView alert, string? unsubscribe = null) =>
        new EmailRenderer(new EmailOptions { From = "alerts@example.com", UnsubscribeUrl = unsubscribe }).Render(alert, Inbox);

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
    public void Unsubscribe_placeholder_gives_no_list_unsubscribe_header_and_https_gives_one_click()
    {
        Assert.Empty(Render(Alerts.Sample()).Headers);
        Assert.Contains("href=\"#unsubscribe\"", Render(Alerts.Sample()).Html);

        var https = Render(Alerts.Sample(), "https://alerts.example.com/u?s={subscriberId}").Headers;
        Assert.Equal("<https://alerts.example.com/u?s=desk-1>", https["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", https["List-Unsubscribe-Post"]);

        var mailto = Render(Alerts.Sample(), "mailto:unsubscribe@example.com").Headers;
        Assert.Equal("<mailto:unsubscribe@example.com>", mailto["List-Unsubscribe"]);
        Assert.False(mailto.ContainsKey("List-Unsubscribe-Post"));
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

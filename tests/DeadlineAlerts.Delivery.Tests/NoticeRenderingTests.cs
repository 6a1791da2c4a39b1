using System.Text.Json.Nodes;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Delivery.Email;
using DeadlineAlerts.Delivery.Slack;
using DeadlineAlerts.Delivery.Teams;
using DeadlineAlerts.Delivery.Tests.Support;
using DeadlineAlerts.Delivery.Webhook;
using NodaTime;

namespace DeadlineAlerts.Delivery.Tests;

/// <summary>A change notice says the same facts in every channel: what moved, to when, from when, why.</summary>
public sealed class NoticeRenderingTests
{
    private const string Headline =
        "Extended by 90 days: US-China tariff truce expires, now Mon 10 Nov 00:01 EST (was Tue 12 Aug 00:01 EDT)";

    [Fact]
    public void Every_channel_states_the_move_both_times_and_the_reason()
    {
        var notice = Alerts.ExtensionNotice();
        var slack = SlackMessage.Build(notice).ToJsonString();
        var teams = TeamsMessage.Build(notice).ToJsonString();
        var email = new EmailRenderer(new EmailOptions { From = "alerts@example.com" })
            .Render(notice, new ChannelSpec { Type = ChannelSpec.Email, Target = "desk@example.com" });
        var webhook = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(WebhookPayload.From(notice), WebhookChannel.Json))!;

        Assert.Equal(Headline, email.Subject);
        foreach (var text in new[] { slack, teams, email.PlainText, email.Html, (string)webhook["text"]! })
        {
            Assert.Contains("Extended by 90 days", text);
            Assert.Contains("Mon 10 Nov 2025 00:01 EST (America/New_York)", text);
            Assert.Contains("Tue 12 Aug 2025 00:01 EDT (America/New_York)", text);
            Assert.Contains("Mon 10 Nov 2025 05:01 GMT (Europe/London) (was Tue 12 Aug 05:01 BST)", text);
            Assert.Contains("Truce extended by executive order", text);
            Assert.DoesNotContain("Lead time", text);
        }
    }

    [Fact]
    public void Webhook_payload_types_the_notice_and_has_no_lead_time()
    {
        var json = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(WebhookPayload.From(Alerts.ExtensionNotice()), WebhookChannel.Json))!;

        Assert.Equal("deadline.notice", (string?)json["type"]);
        Assert.Null(json["leadTime"]);
        Assert.Equal("extended", (string?)json["notice"]!["change"]);
        Assert.Equal("2025-08-12T04:01:00Z", (string?)json["notice"]!["oldDue"]);
        Assert.Equal("2025-11-10T05:01:00Z", (string?)json["deadline"]!["due"]);
    }

    [Fact]
    public void A_resolve_notice_by_the_cli_has_no_countdown_and_names_nobody()
    {
        var resolved = Alerts.ExtensionNotice(reason: null) with
        {
            DueAt = Alerts.Due,
            Now = Alerts.Due - Duration.FromMinutes(30),
            Notice = new NoticeFacts(ChangeKind.Resolved, Alerts.Due, Alerts.Due, null, "cli"),
        };
        var json = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(WebhookPayload.From(resolved), WebhookChannel.Json))!.AsObject();
        var slack = SlackMessage.Build(resolved).ToJsonString();
        var teams = TeamsMessage.Build(resolved).ToJsonString();

        Assert.True(json.ContainsKey("countdown"));
        Assert.Null(json["countdown"]);
        foreach (var text in new[] { slack, teams, (string)json["text"]! })
        {
            Assert.Contains("Resolved: US-China tariff truce expires", text);
            Assert.DoesNotContain("30 minutes", text);
            Assert.DoesNotContain("By", text.Replace("Bcc", ""));
        }
        Assert.Equal("cli", (string?)json["notice"]!["by"]);
    }

    [Fact]
    public void Alert_payload_has_no_notice_fields()
    {
        var json = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(WebhookPayload.From(Alerts.Sample()), WebhookChannel.Json))!.AsObject();

        Assert.Equal("deadline.alert", (string?)json["type"]);
        Assert.Equal("P7D", (string?)json["leadTime"]);
        Assert.False(json.ContainsKey("notice"));
        Assert.False(json.ContainsKey("items"));
    }

    [Fact]
    public void Moving_earlier_says_so()
    {
        var earlier = Alerts.Due - NodaTime.Duration.FromDays(3);
        var notice = Alerts.ExtensionNotice() with
        {
            DueAt = earlier,
            Notice = new Core.Rendering.NoticeFacts(Core.Rendering.ChangeKind.MovedEarlier, Alerts.Due, earlier, null, "operator"),
        };

        Assert.Equal("Moved earlier by 3 days: US-China tariff truce expires, now Sat 9 Aug 00:01 EDT (was Tue 12 Aug 00:01 EDT)", notice.Headline);
    }
}

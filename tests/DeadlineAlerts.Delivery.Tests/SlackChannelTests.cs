using System.Text.Json.Nodes;
using DeadlineAlerts.Core.Delivery;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Delivery.Tests.Support;

namespace DeadlineAlerts.Delivery.Tests;

public sealed class SlackChannelTests : IAsyncLifetime
{
    private LoopbackHttpServer _slack = null!;
    private IServiceProvider _services = null!;
    private const string Secret = "XXSECRETTOKENXX";

    public async Task InitializeAsync()
    {
        _slack = await LoopbackHttpServer.StartAsync(_ => Reply.Text(200, "ok"));
        _services = DeliveryHost.AllowingLoopback(_slack);
    }

    public async Task DisposeAsync() => await _slack.DisposeAsync();

    private ChannelSpec Hook => new() { Type = ChannelSpec.Slack, Target = new Uri(_slack.BaseUri, $"/services/T000/B000/{Secret}").ToString() };

    private Task<DeliveryOutcome> Send(Core.Rendering.MessageView? alert = null) =>
        _services.Channel("slack").SendAsync(alert ?? Alerts.Sample(), Hook, CancellationToken.None);

    [Fact]
    public async Task Slack_posts_block_kit_with_plain_text_fallback_and_both_zones()
    {
        var outcome = await Send();

        Assert.Equal(DeliveryStatus.Delivered, outcome.Status);
        var request = Assert.Single(_slack.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/services/T000/B000/{Secret}", request.RawTarget);
        Assert.StartsWith("application/json", request.Header("Content-Type"));
        var body = JsonNode.Parse(request.BodyText)!;
        Assert.Equal(Alerts.Sample().PlainText.Replace("&", "&amp;"), (string?)body["text"]);
        var blocks = body["blocks"]!.AsArray();
        Assert.Equal(["header", "section", "context", "actions"], blocks.Select(b => (string?)b!["type"]));
        Assert.Equal("US-China tariff truce expires", (string?)blocks[0]!["text"]!["text"]);
        var section = (string)blocks[1]!["text"]!["text"]!;
        Assert.Contains("*7 days left*", section);
        Assert.Contains("*Due:* Tue 12 Aug 2025 00:01 EDT (America/New_York)", section);
        Assert.Contains("*Your time:* Tue 12 Aug 2025 05:01 BST (Europe/London)", section);
        Assert.Contains("*Source:* <https://example.org/notice?id=1&amp;x=2|example.org>", section);
        Assert.Contains("Lead time: 7 days before", (string?)blocks[2]!["elements"]![0]!["text"]);
        Assert.DoesNotContain("Unsubscribe", (string?)blocks[2]!["elements"]![0]!["text"]);
        // Got it and Unsubscribe are link buttons (an incoming webhook cannot receive a click): each opens its signed page.
        var buttons = blocks[3]!["elements"]!.AsArray();
        Assert.Equal([("button", "Got it", Alerts.Acknowledge, "primary"), ("button", "Unsubscribe", Alerts.Unsubscribe, null)],
            buttons.Select(b => ((string?)b!["type"], (string?)b["text"]!["text"], (string?)b["url"], (string?)b["style"])));
        Assert.All(buttons, b => Assert.Equal("plain_text", (string?)b!["text"]!["type"]));
        Assert.Equal(2, buttons.Select(b => (string?)b!["action_id"]).Distinct().Count()); // unique within the block, as Slack requires
    }

    [Fact]
    public async Task A_slack_change_notice_has_an_unsubscribe_button_and_no_got_it()
    {
        await Send(Alerts.ExtensionNotice());

        var text = Assert.Single(_slack.Requests).BodyText;
        var blocks = JsonNode.Parse(text)!["blocks"]!.AsArray();
        var buttons = blocks.Single(b => (string?)b!["type"] == "actions")!["elements"]!.AsArray();
        Assert.Equal(["Unsubscribe"], buttons.Select(b => (string?)b!["text"]!["text"]));
        Assert.DoesNotContain("acknowledge", text);
    }

    [Fact]
    public async Task Slack_escapes_record_text_for_mrkdwn_so_it_cannot_ping_or_link()
    {
        await Send(Alerts.Sample(title: "<!channel> & <https://evil.example|click>", notes: "<script>alert(1)</script>"));

        var body = JsonNode.Parse(Assert.Single(_slack.Requests).BodyText)!;
        var section = (string)body["blocks"]![1]!["text"]!["text"]!;
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", section);
        Assert.DoesNotContain("<script>", section);
        var fallback = (string)body["text"]!;
        Assert.Contains("&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;", fallback);
        Assert.DoesNotContain("<!channel>", fallback);
    }

    [Fact]
    public async Task Slack_escapes_every_mrkdwn_field_that_carries_record_text()
    {
        const string hostile = "<!here> <https://evil.example|click> & [click](https://evil.example)";
        // Without the unsubscribe link, the one <url|label> we compose ourselves.
        await Send(Alerts.Sample(title: hostile, notes: hostile, source: hostile, category: hostile, unsubscribeUrl: null));

        var body = JsonNode.Parse(Assert.Single(_slack.Requests).BodyText)!;
        var mrkdwn = Json.Objects(body).Where(o => (string?)o["type"] == "mrkdwn").Select(o => (string)o["text"]!)
            .Append((string)body["text"]!).ToList();
        Assert.Equal(3, mrkdwn.Count); // section, context, fallback text
        const string escaped = "&lt;!here&gt; &lt;https://evil.example|click&gt; &amp; [click](https://evil.example)";
        Assert.All(mrkdwn, text =>
        {
            Assert.DoesNotContain("<", text);
            Assert.DoesNotContain(">", text);
            Assert.Contains(escaped, text);
        });
        var section = mrkdwn[0];
        Assert.Contains($"*Source:* {escaped}", section); // not a URL: text, not a link
        Assert.Contains($"\n{escaped}", section);        // the notes
        Assert.Contains($"· {escaped}", mrkdwn[1]);       // the category
    }

    [Fact]
    public async Task Slack_header_is_one_line_plain_text_even_with_a_crlf_in_the_title()
    {
        await Send(Alerts.Sample(title: Alerts.HostileTitle));

        var header = JsonNode.Parse(Assert.Single(_slack.Requests).BodyText)!["blocks"]![0]!["text"]!;
        Assert.Equal("plain_text", (string?)header["type"]);
        Assert.DoesNotContain("\n", (string)header["text"]!);
        Assert.DoesNotContain("\r", (string)header["text"]!);
    }

    [Fact]
    public async Task Slack_429_is_a_retry_honouring_retry_after()
    {
        _slack.RespondWith(_ => Reply.Text(429, "rate_limited", ("Retry-After", "30")));

        var outcome = await Send();

        Assert.Equal(DeliveryStatus.Retry, outcome.Status);
        Assert.Equal(NodaTime.Duration.FromSeconds(30), outcome.RetryAfter);
    }

    [Fact]
    public async Task Slack_500_rollup_error_is_a_retry()
    {
        _slack.RespondWith(_ => Reply.Text(500, "rollup_error"));

        var outcome = await Send();

        Assert.Equal(DeliveryStatus.Retry, outcome.Status);
        Assert.Contains("rollup_error", outcome.Reason);
    }

    [Fact]
    public async Task Slack_400_invalid_payload_is_permanent_but_does_not_mark_the_channel_broken()
    {
        _slack.RespondWith(_ => Reply.Text(400, "invalid_payload"));

        var outcome = await Send();

        Assert.Equal(DeliveryStatus.Permanent, outcome.Status);
        Assert.False(outcome.ChannelBroken);
        Assert.Equal("Slack answered HTTP 400 invalid_payload", outcome.Reason);
    }

    [Theory]
    [InlineData(403, "action_prohibited")]
    [InlineData(403, "invalid_token")]
    [InlineData(404, "channel_not_found")]
    [InlineData(404, "no_service")]
    [InlineData(410, "channel_is_archived")]
    public async Task Slack_hook_gone_or_barred_is_permanent_and_marks_channel_broken(int status, string code)
    {
        _slack.RespondWith(_ => Reply.Text(status, code));

        var outcome = await Send();

        Assert.Equal(DeliveryStatus.Permanent, outcome.Status);
        Assert.True(outcome.ChannelBroken);
        Assert.Equal($"Slack answered HTTP {status} {code}", outcome.Reason);
    }

    [Fact]
    public async Task Slack_410_channel_is_archived_is_permanent_and_marks_channel_broken()
    {
        _slack.RespondWith(_ => Reply.Text(410, "channel_is_archived"));

        var outcome = await Send();

        Assert.Equal(new DeliveryOutcome(DeliveryStatus.Permanent, "Slack answered HTTP 410 channel_is_archived", ChannelBroken: true), outcome);
    }

    [Fact]
    public async Task Slack_reason_never_repeats_the_webhook_url_even_when_the_body_echoes_it()
    {
        _slack.RespondWith(r => Reply.Text(404, $"no such hook {r.RawTarget}"));

        var outcome = await Send();

        Assert.Equal(DeliveryStatus.Permanent, outcome.Status);
        Assert.DoesNotContain(Secret, outcome.Reason);
        Assert.True(outcome.ChannelBroken);
    }

    [Fact]
    public async Task Slack_unreachable_hook_is_a_retry_without_the_url_in_the_reason()
    {
        var closedPort = new ChannelSpec { Type = ChannelSpec.Slack, Target = $"http://127.0.0.1:1/services/T/B/{Secret}" };
        var services = DeliveryHost.Build(new Dictionary<string, string?> { ["DeadlineAlerts:Delivery:AllowHosts"] = "127.0.0.1" });

        var outcome = await services.Channel("slack").SendAsync(Alerts.Sample(), closedPort, CancellationToken.None);

        Assert.Equal(DeliveryStatus.Retry, outcome.Status);
        Assert.DoesNotContain(Secret, outcome.Reason);
    }
}

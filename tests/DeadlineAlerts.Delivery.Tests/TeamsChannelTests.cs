using System.Text.Json.Nodes;
using DeadlineAlerts.Core.Delivery;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Delivery.Tests.Support;

namespace DeadlineAlerts.Delivery.Tests;

public sealed class TeamsChannelTests : IAsyncLifetime
{
    private LoopbackHttpServer _teams = null!;
    private IServiceProvider _services = null!;
    private const string Sig = "sigSECRETvalue";

    public async Task InitializeAsync()
    {
        _teams = await LoopbackHttpServer.StartAsync(_ => Reply.Text(202, ""));
        _services = DeliveryHost.AllowingLoopback(_teams);
    }

    public async Task DisposeAsync() => await _teams.DisposeAsync();

    private ChannelSpec Hook => new()
    {
        Type = ChannelSpec.Teams,
        Target = new Uri(_teams.BaseUri, $"/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig={Sig}").ToString(),
    };

    private Task<DeliveryOutcome> Send(Core.Rendering.MessageView? alert = null) =>
        _services.Channel("teams").SendAsync(alert ?? Alerts.Sample(), Hook, CancellationToken.None);

    [Fact]
    public async Task Teams_posts_a_workflows_message_with_one_adaptive_card_1_4()
    {
        var outcome = await Send();

        Assert.Equal(DeliveryStatus.Delivered, outcome.Status);
        var request = Assert.Single(_teams.Requests);
        Assert.StartsWith("application/json", request.Header("Content-Type"));
        var body = JsonNode.Parse(request.BodyText)!;
        Assert.Equal("message", (string?)body["type"]);
        var attachment = Assert.Single(body["attachments"]!.AsArray())!;
        Assert.Equal("application/vnd.microsoft.card.adaptive", (string?)attachment["contentType"]);
        var card = attachment["content"]!;
        Assert.Equal("AdaptiveCard", (string?)card["type"]);
        Assert.Equal("1.4", (string?)card["version"]);
        Assert.Equal("US-China tariff truce expires", (string?)card["body"]![0]!["inlines"]![0]!["text"]);
        var facts = card["body"]![2]!["facts"]!.AsArray().ToDictionary(f => (string)f!["title"]!, f => (string)f!["value"]!);
        Assert.Equal("7 days left", facts["Countdown"]);
        Assert.Equal("Tue 12 Aug 2025 00:01 EDT (America/New_York)", facts["Due"]);
        Assert.Equal("Tue 12 Aug 2025 05:01 BST (Europe/London)", facts["Your time"]);
        Assert.Equal("7 days before", facts["Lead time"]);
        var actions = card["actions"]!.AsArray();
        Assert.Equal(["Open source", "Got it", "Unsubscribe"], actions.Select(a => (string?)a!["title"]));
        Assert.All(actions, a => Assert.Equal("Action.OpenUrl", (string?)a!["type"]));
        Assert.Equal("https://example.org/notice?id=1&x=2", (string?)actions[0]!["url"]);
        Assert.Equal(Alerts.Acknowledge, (string?)actions[1]!["url"]);
        Assert.Equal(Alerts.Unsubscribe, (string?)actions[2]!["url"]);
    }

    [Fact]
    public async Task Teams_card_carries_a_hostile_title_as_text_and_a_late_flag()
    {
        await Send(Alerts.Sample(title: Alerts.HostileTitle, source: "javascript:alert(1)", late: true, unsubscribeUrl: null, acknowledgeUrl: null));

        var card = JsonNode.Parse(Assert.Single(_teams.Requests).BodyText)!["attachments"]![0]!["content"]!;
        Assert.Equal(Alerts.HostileTitle, (string?)card["body"]![0]!["inlines"]![0]!["text"]);
        Assert.Null(card["actions"]);
        var facts = card["body"]![2]!["facts"]!.AsArray().Select(f => (string)f!["title"]!).ToList();
        Assert.Contains("Late", facts);
    }

    [Theory]
    [InlineData("[click](https://evil.example)")]
    [InlineData("**x**")]
    [InlineData("_y_ `code` # not a heading")]
    [InlineData("- not a list\n1. nor this\n> nor a quote \\ [a]: https://evil.example")]
    public async Task Teams_shows_markdown_in_record_text_literally(string hostile)
    {
        await Send(Alerts.Sample(title: hostile, notes: hostile, source: hostile, category: hostile, unsubscribeUrl: null, acknowledgeUrl: null));

        var card = JsonNode.Parse(Assert.Single(_teams.Requests).BodyText)!["attachments"]![0]!["content"]!;
        // The fields Teams reads as Markdown carry only text we wrote, none of the record's.
        Assert.Equal(
            ["Countdown", "7 days left", "Due", "Tue 12 Aug 2025 00:01 EDT (America/New_York)",
             "Your time", "Tue 12 Aug 2025 05:01 BST (Europe/London)", "Lead time", "7 days before"],
            MarkdownFields(card));
        // The record's text is in TextRuns (never Markdown), exactly as written: title, notes, category and source.
        var runs = Json.Objects(card).Where(n => (string?)n["type"] == "TextRun").Select(n => (string)n["text"]!).ToList();
        Assert.Equal(hostile, runs[0]);
        Assert.Equal(4, runs.Count(r => r == hostile));
        Assert.Null(card["actions"]); // a source that is not a URL is not a link either
    }

    /// <summary>TextBlock.text, Fact.title and Fact.value: the fields Teams renders as Markdown.</summary>
    private static List<string> MarkdownFields(JsonNode card) =>
        Json.Objects(card).SelectMany(n => (string?)n["type"] switch
        {
            "TextBlock" => [(string)n["text"]!],
            "FactSet" => n["facts"]!.AsArray().SelectMany(f => new[] { (string)f!["title"]!, (string)f["value"]! }),
            _ => [],
        }).ToList();

    [Fact]
    public async Task Teams_400_is_permanent_and_the_reason_blanks_an_echoed_url()
    {
        _teams.RespondWith(r => Reply.Text(400, $"{{\"error\":{{\"code\":\"TriggerInputSchemaMismatch\",\"message\":\"bad input for http://127.0.0.1{r.RawTarget}\"}}}}"));

        var outcome = await Send();

        Assert.Equal(DeliveryStatus.Permanent, outcome.Status);
        Assert.Contains("TriggerInputSchemaMismatch", outcome.Reason);
        Assert.DoesNotContain(Sig, outcome.Reason);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(502)]
    public async Task Teams_throttling_and_server_errors_are_retries(int status)
    {
        _teams.RespondWith(_ => Reply.Text(status, "", ("Retry-After", "12")));

        var outcome = await Send();

        Assert.Equal(DeliveryStatus.Retry, outcome.Status);
        Assert.Equal(NodaTime.Duration.FromSeconds(12), outcome.RetryAfter);
    }
}

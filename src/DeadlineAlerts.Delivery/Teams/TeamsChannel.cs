using System.Text;
using System.Text.Json.Nodes;
using DeadlineAlerts.Core.Delivery;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Delivery.Http;

namespace DeadlineAlerts.Delivery.Teams;

/// <summary>
/// Microsoft Teams through a Workflows ("When a Teams webhook request is received" / "Post to a channel
/// when a webhook request is received") URL. Workflows accept Adaptive Cards only, wrapped as a message
/// with one attachment; the flow answers 202 Accepted. Outcomes follow the generic <see cref="HttpOutcome"/> rules.
/// </summary>
public sealed class TeamsChannel(HttpDelivery http) : IAlertChannel
{
    public string Type => ChannelSpec.Teams;

    public Task<DeliveryOutcome> SendAsync(AlertView alert, ChannelSpec channel, CancellationToken cancellationToken)
    {
        var body = TeamsMessage.Build(alert).ToJsonString();
        return http.PostAsync(channel.Target, new StringContent(body, Encoding.UTF8, "application/json"), null,
            async response => HttpOutcome.From(response, detail: response.IsSuccessStatusCode ? null : await HttpDelivery.ErrorTextAsync(response)),
            cancellationToken);
    }

    public Task<DeliveryOutcome> SendDigestAsync(DigestView digest, ChannelSpec channel, CancellationToken cancellationToken)
    {
        var body = TeamsMessage.Build(digest).ToJsonString();
        return http.PostAsync(channel.Target, new StringContent(body, Encoding.UTF8, "application/json"), null,
            async response => HttpOutcome.From(response, detail: response.IsSuccessStatusCode ? null : await HttpDelivery.ErrorTextAsync(response)),
            cancellationToken);
    }
}

/// <summary>
/// The Workflows payload: <c>{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":{AdaptiveCard 1.4}}]}</c>.
/// Card text is data in JSON strings (Teams renders no HTML in cards); the source link is an
/// <c>Action.OpenUrl</c> only when it is an absolute http(s) URL.
/// </summary>
public static class TeamsMessage
{
    public static JsonObject Build(AlertView a)
    {
        var facts = new JsonArray
        {
            Fact("Countdown", a.Countdown),
            Fact("Due", a.DueInDeadlineZone),
        };
        if (a.SubscriberZone.Id != a.DeadlineZone.Id) facts.Add(Fact("Your time", a.DueInSubscriberZone));
        facts.Add(Fact("Lead time", a.LeadTime.Text));
        if (a.Category is { } c) facts.Add(Fact("Category", c));
        if (a.Late) facts.Add(Fact("Late", "yes: sent after its planned time"));

        var body = new JsonArray
        {
            new JsonObject { ["type"] = "TextBlock", ["text"] = a.Title, ["weight"] = "Bolder", ["size"] = "Large", ["wrap"] = true },
            new JsonObject { ["type"] = "TextBlock", ["text"] = a.Headline, ["isSubtle"] = true, ["wrap"] = true, ["spacing"] = "None" },
            new JsonObject { ["type"] = "FactSet", ["facts"] = facts },
        };
        if (!string.IsNullOrWhiteSpace(a.Notes)) body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = a.Notes, ["wrap"] = true });

        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["body"] = body,
            ["msteams"] = new JsonObject { ["width"] = "Full" },
        };
        if (LinkText.SafeHttpUrl(a.Source) is { } url)
            card["actions"] = new JsonArray { new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = "Open source", ["url"] = url } };
        else if (!string.IsNullOrWhiteSpace(a.Source)) facts.Add(Fact("Source", a.Source));

        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray
            {
                new JsonObject { ["contentType"] = "application/vnd.microsoft.card.adaptive", ["contentUrl"] = null, ["content"] = card },
            },
        };
    }

    /// <summary>A digest card: the title, the summary, and a fact a deadline (countdown → title and due time).</summary>
    public static JsonObject Build(DigestView d)
    {
        var facts = new JsonArray(d.Items.Select(i => (JsonNode)Fact(i.Overdue ? $"OVERDUE by {i.Countdown}" : i.Countdown, $"{i.Title}, {i.DueInSubscriberZone}")).ToArray());
        var body = new JsonArray
        {
            new JsonObject { ["type"] = "TextBlock", ["text"] = d.Title, ["weight"] = "Bolder", ["size"] = "Large", ["wrap"] = true },
            new JsonObject { ["type"] = "TextBlock", ["text"] = d.Summary, ["isSubtle"] = true, ["wrap"] = true, ["spacing"] = "None" },
        };
        if (facts.Count > 0) body.Add(new JsonObject { ["type"] = "FactSet", ["facts"] = facts });
        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["body"] = body,
            ["msteams"] = new JsonObject { ["width"] = "Full" },
        };
        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray
            {
                new JsonObject { ["contentType"] = "application/vnd.microsoft.card.adaptive", ["contentUrl"] = null, ["content"] = card },
            },
        };
    }

    private static JsonObject Fact(string title, string value) => new() { ["title"] = title, ["value"] = value };
}

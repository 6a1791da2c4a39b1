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
}

/// <summary>
/// The Workflows payload for an alert, notice or digest: <c>{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":{AdaptiveCard 1.4}}]}</c>.
/// Card text is data in JSON strings (Teams renders no HTML in cards); the source link is an
/// <c>Action.OpenUrl</c> only when it is an absolute http(s) URL.
/// </summary>
public static class TeamsMessage
{
    public static JsonObject Build(AlertView a)
    {
        var facts = new JsonArray();
        switch (a.Kind)
        {
            case MessageKind.Notice:
                foreach (var (label, value) in a.NoticeFactRows) facts.Add(Fact(label, value));
                if (a.Category is { } nc) facts.Add(Fact("Category", nc));
                break;
            case MessageKind.Digest:
                foreach (var item in a.Items)
                    facts.Add(Fact(item.Overdue ? $"OVERDUE by {item.Countdown}" : item.Countdown, $"{item.Title}, {item.DueText}"));
                break;
            default:
                facts.Add(Fact("Countdown", a.Countdown));
                facts.Add(Fact("Due", a.DueInDeadlineZone));
                if (a.ShowsSubscriberZone) facts.Add(Fact("Your time", a.DueInSubscriberZone));
                facts.Add(Fact("Lead time", a.LeadTime?.Text ?? ""));
                if (a.Category is { } c) facts.Add(Fact("Category", c));
                if (a.Late) facts.Add(Fact("Late", "yes: sent after its planned time"));
                break;
        }

        var body = new JsonArray
        {
            new JsonObject { ["type"] = "TextBlock", ["text"] = a.Title, ["weight"] = "Bolder", ["size"] = "Large", ["wrap"] = true },
            new JsonObject { ["type"] = "TextBlock", ["text"] = a.Kind == MessageKind.Digest ? a.Summary ?? "" : a.Headline, ["isSubtle"] = true, ["wrap"] = true, ["spacing"] = "None" },
            new JsonObject { ["type"] = "FactSet", ["facts"] = facts },
        };
        if (a.Kind == MessageKind.Alert && !string.IsNullOrWhiteSpace(a.Notes)) body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = a.Notes, ["wrap"] = true });

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

    private static JsonObject Fact(string title, string value) => new() { ["title"] = title, ["value"] = value };
}

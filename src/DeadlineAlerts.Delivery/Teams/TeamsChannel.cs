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
/// The Workflows payload for an alert or a change notice (digests: the DigestView overload): <c>{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":{AdaptiveCard 1.4}}]}</c>.
/// <para>
/// Teams reads <c>TextBlock.text</c>, <c>Fact.title</c> and <c>Fact.value</c> as Markdown, and its clients disagree
/// on backslash escapes (desktop honours them, mobile has shown them literally). So text that comes from a record
/// (title, the headline that repeats it, notes, category, a source that is not a link) never goes into those
/// fields: it goes into a <c>RichTextBlock</c> of <c>TextRun</c>s, which Adaptive Cards never parse as Markdown.
/// A title <c>[click](https://evil.example)</c> arrives as those characters, not as a link. The Markdown fields
/// carry only text we compose (countdown, due times, lead time). The source link is an <c>Action.OpenUrl</c>, only
/// for an absolute http(s) URL.
/// </para>
/// </summary>
public static class TeamsMessage
{
    public static JsonObject Build(AlertView a)
    {
        var facts = new JsonArray();
        switch (a.Kind)
        {
            case MessageKind.Notice:
                // Reason is operator text: it goes into a TextRun below, never into a Markdown fact.
                foreach (var (label, value) in a.NoticeFactRows.Where(r => r.Label != "Reason")) facts.Add(Fact(label, value));
                break;
            default:
                facts.Add(Fact("Countdown", a.Countdown));
                facts.Add(Fact("Due", a.DueInDeadlineZone));
                if (a.ShowsSubscriberZone) facts.Add(Fact("Your time", a.DueInSubscriberZone));
                facts.Add(Fact("Lead time", a.LeadTime?.Text ?? ""));
                if (a.Late) facts.Add(Fact("Late", "yes: sent after its planned time"));
                break;
        }

        var body = new JsonArray
        {
            Literal(a.Title, new JsonObject { ["weight"] = "Bolder", ["size"] = "Large" }),
            Literal(a.Headline, new JsonObject { ["isSubtle"] = true }, spacing: "None"),
            new JsonObject { ["type"] = "FactSet", ["facts"] = facts },
        };
        if (a.Notice?.Reason is { Length: > 0 } reason) body.Add(Labelled("Reason", reason));
        if (a.Category is { } category) body.Add(Labelled("Category", category));
        var url = LinkText.SafeHttpUrl(a.Source);
        if (url is null && !string.IsNullOrWhiteSpace(a.Source)) body.Add(Labelled("Source", a.Source));
        if (a.Kind == MessageKind.Alert && !string.IsNullOrWhiteSpace(a.Notes)) body.Add(Literal(a.Notes, new JsonObject()));

        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["body"] = body,
            ["msteams"] = new JsonObject { ["width"] = "Full" },
        };
        if (url is not null)
            card["actions"] = new JsonArray { new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = "Open source", ["url"] = url } };

        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray
            {
                new JsonObject { ["contentType"] = "application/vnd.microsoft.card.adaptive", ["contentUrl"] = null, ["content"] = card },
            },
        };
    }

    /// <summary>Record text shown exactly as written: one TextRun (never Markdown) with the given run styles.</summary>
    private static JsonObject Literal(string text, JsonObject style, string? spacing = null)
    {
        style["type"] = "TextRun";
        style["text"] = text;
        var block = new JsonObject { ["type"] = "RichTextBlock", ["inlines"] = new JsonArray { style } };
        if (spacing is not null) block["spacing"] = spacing;
        return block;
    }

    /// <summary>"Label: value" with a bold label we wrote and a literal value from the record.</summary>
    private static JsonObject Labelled(string label, string value) => new()
    {
        ["type"] = "RichTextBlock",
        ["spacing"] = "Small",
        ["inlines"] = new JsonArray
        {
            new JsonObject { ["type"] = "TextRun", ["text"] = label + ": ", ["weight"] = "Bolder" },
            new JsonObject { ["type"] = "TextRun", ["text"] = value },
        },
    };

    /// <summary>A digest card: the title, the summary, and a fact a deadline (countdown → title and due time).</summary>
    public static JsonObject Build(DigestView d)
    {
        // Deadline titles come from records: TextRuns, never Markdown (see Literal).
        var body = new JsonArray
        {
            new JsonObject { ["type"] = "TextBlock", ["text"] = d.Title, ["weight"] = "Bolder", ["size"] = "Large", ["wrap"] = true },
            new JsonObject { ["type"] = "TextBlock", ["text"] = d.Summary, ["isSubtle"] = true, ["wrap"] = true, ["spacing"] = "None" },
        };
        foreach (var i in d.Items)
            body.Add(Labelled(i.Overdue ? $"OVERDUE by {i.Countdown}" : i.Countdown, $"{i.Title}, {i.DueInSubscriberZone}"));
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

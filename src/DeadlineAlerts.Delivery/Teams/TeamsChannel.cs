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

    public Task<DeliveryOutcome> SendAsync(MessageView message, ChannelSpec channel, CancellationToken cancellationToken)
    {
        var body = TeamsMessage.Build(message).ToJsonString();
        return http.PostAsync(channel.Target, new StringContent(body, Encoding.UTF8, "application/json"), null,
            async response => HttpOutcome.From(response, http.Wire, detail: response.IsSuccessStatusCode ? null : await HttpDelivery.ErrorTextAsync(response)),
            cancellationToken);
    }
}

/// <summary>
/// The Workflows payload for an alert, a change notice or a digest: <c>{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":{AdaptiveCard 1.4}}]}</c>.
/// <para>
/// Teams reads <c>TextBlock.text</c>, <c>Fact.title</c> and <c>Fact.value</c> as Markdown, and its clients disagree
/// on backslash escapes (desktop honours them, mobile has shown them literally). So text that comes from a record
/// (title, the headline that repeats it, notes, category, a source that is not a link) never goes into those
/// fields: it goes into a <c>RichTextBlock</c> of <c>TextRun</c>s, which Adaptive Cards never parse as Markdown.
/// A title <c>[click](https://evil.example)</c> arrives as those characters, not as a link. The Markdown fields
/// carry only text we compose (countdown, due times, lead time). The source link is an <c>Action.OpenUrl</c>, only
/// for an absolute http(s) URL. A digest card has the title and summary (both composed by us) and one
/// "countdown: title, due time" line a deadline, the title again in a TextRun. Every word we compose, button titles
/// included, is in the subscriber's language (<see cref="MessageView.Language"/>).
/// </para>
/// </summary>
public static class TeamsMessage
{
    /// <summary>
    /// Teams (Workflows / incoming webhooks) refuses a message larger than about 28 KB (Microsoft's "Limits and
    /// specifications for Teams"). A card is built whole when it fits under <see cref="MaxBytes"/>; a digest that does
    /// not fit shows as many deadlines as do and counts the rest, linking to the full list; an alert keeps its facts
    /// and shortens the record's notes.
    /// </summary>
    public const int MaxBytes = 26_000;

    public static JsonObject Build(MessageView message) => message switch
    {
        DigestMessage d => Digest(d),
        NoticeMessage n => Fitted(notes => Card(n, DeadlineBody(n, NoticeFacts(n), n.Notice.Reason, notes: null), fullList: null), ""),
        AlertMessage a => Fitted(notes => Card(a, DeadlineBody(a, AlertFacts(a), reason: null, notes), fullList: null), a.Notes ?? ""),
        _ => throw new ArgumentOutOfRangeException(nameof(message), message.GetType().Name, "not a message this channel knows"),
    };

    /// <summary>An alert or notice whole when it fits; otherwise its facts kept and the record's notes shortened.</summary>
    private static JsonObject Fitted(Func<string, JsonObject> build, string notes)
    {
        var message = build(notes);
        var size = Size(message);
        if (size <= MaxBytes) return message;
        var over = size - MaxBytes;
        return build(notes.Length > over ? LinkText.Truncate(notes, Math.Max(1, notes.Length - over - 200)) : "");
    }

    /// <summary>A digest with as many deadlines as fit, the rest counted and linked to the full list.</summary>
    private static JsonObject Digest(DigestMessage d)
    {
        var take = d.Items.Count;
        var message = Card(d, DigestBody(d, take), null);
        var size = Size(message);
        while (take > 0 && size > MaxBytes)
        {
            take = Math.Min(take - 1, (int)((long)take * MaxBytes / size));
            message = Card(d, DigestBody(d, take), take < d.Items.Count ? d.FullListUrl : null);
            size = Size(message);
        }
        return message;
    }

    private static int Size(JsonObject message) => System.Text.Encoding.UTF8.GetByteCount(message.ToJsonString());

    private static JsonObject Card(MessageView a, JsonArray body, string? fullList)
    {
        var url = LinkText.SafeHttpUrl(a.Source);
        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["body"] = body,
            ["msteams"] = new JsonObject { ["width"] = "Full" },
        };
        var actions = new JsonArray();
        if (url is not null) actions.Add(new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = a.T("link.openSource"), ["url"] = url });
        if (LinkText.SafeHttpUrl(fullList) is { } feed)
            actions.Add(new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = a.T("link.fullList"), ["url"] = feed });
        // Got it first (alerts only), then Unsubscribe: both Action.OpenUrl, since an incoming webhook's card cannot post back.
        if (LinkText.SafeHttpUrl(a.AcknowledgeUrl) is { } gotIt)
            actions.Add(new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = a.T("link.gotIt"), ["url"] = gotIt, ["style"] = "positive" });
        AddUnsubscribe(actions, a);
        if (actions.Count > 0) card["actions"] = actions;

        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray
            {
                new JsonObject { ["contentType"] = "application/vnd.microsoft.card.adaptive", ["contentUrl"] = null, ["content"] = card },
            },
        };
    }

    /// <summary>A notice's composed facts; its reason is operator text and goes into a TextRun, never into a Markdown fact.</summary>
    private static JsonArray NoticeFacts(NoticeMessage n) => [.. n.FactRows.Where(r => r.Key != FactRow.ReasonKey).Select(r => Fact(r.Label, r.Value))];

    private static JsonArray AlertFacts(AlertMessage a)
    {
        var facts = new JsonArray { Fact(a.T("label.countdown"), a.Countdown), Fact(a.T("label.due"), a.DueInDeadlineZone) };
        if (a.ShowsSubscriberZone) facts.Add(Fact(a.T("label.yourTime"), a.DueInSubscriberZone));
        facts.Add(Fact(a.T("label.leadTime"), a.LeadWords));
        if (a.Late) facts.Add(Fact(a.T("label.late"), a.T("alert.lateYes")));
        return facts;
    }

    /// <summary>An alert or a notice: title and headline as TextRuns, the composed facts, then the record's own text.</summary>
    private static JsonArray DeadlineBody(MessageView a, JsonArray facts, string? reason, string? notes)
    {
        var body = new JsonArray
        {
            Literal(a.Title, new JsonObject { ["weight"] = "Bolder", ["size"] = "Large" }),
            Literal(a.Headline, new JsonObject { ["isSubtle"] = true }, spacing: "None"),
            new JsonObject { ["type"] = "FactSet", ["facts"] = facts },
        };
        if (reason is { Length: > 0 }) body.Add(Labelled(a, a.T(FactRow.ReasonKey), reason));
        if (a.Category is { } category) body.Add(Labelled(a, a.T("label.category"), category));
        if (LinkText.SafeHttpUrl(a.Source) is null && !string.IsNullOrWhiteSpace(a.Source)) body.Add(Labelled(a, a.T("label.source"), a.Source));
        if (!string.IsNullOrWhiteSpace(notes)) body.Add(Literal(notes, new JsonObject()));
        return body;
    }

    /// <summary>A digest: its title and summary, which we compose, then "countdown: title, due time" a deadline,
    /// the deadline's title from the record in a TextRun (see <see cref="Labelled"/>).</summary>
    private static JsonArray DigestBody(DigestMessage a, int take)
    {
        var body = new JsonArray
        {
            new JsonObject { ["type"] = "TextBlock", ["text"] = a.Title, ["weight"] = "Bolder", ["size"] = "Large", ["wrap"] = true },
            new JsonObject { ["type"] = "TextBlock", ["text"] = a.Summary, ["isSubtle"] = true, ["wrap"] = true, ["spacing"] = "None" },
        };
        foreach (var i in a.Items.Take(take))
            body.Add(Labelled(a, i.Overdue ? a.T("digest.overdueByLoud", ("time", i.Countdown)) : i.Countdown,
                a.T("digest.titleDue", ("title", LinkText.Truncate(i.Title, 500)), ("due", i.DueText))));
        if (take < a.Items.Count)
        {
            var rest = a.Items.Count - take;
            var more = a.Language.Count("digest.more", rest, ("channel", "Teams"));
            body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = more, ["isSubtle"] = true, ["wrap"] = true });
        }
        return body;
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

    /// <summary>"Label: value" with a bold label we wrote and a literal value from the record (the colon as the language writes it).</summary>
    private static JsonObject Labelled(MessageView a, string label, string value) => new()
    {
        ["type"] = "RichTextBlock",
        ["spacing"] = "Small",
        ["inlines"] = new JsonArray
        {
            new JsonObject { ["type"] = "TextRun", ["text"] = a.T("line", ("label", label), ("value", "")), ["weight"] = "Bolder" },
            new JsonObject { ["type"] = "TextRun", ["text"] = value },
        },
    };

    /// <summary>The signed link that removes this Teams channel, as a button.</summary>
    private static void AddUnsubscribe(JsonArray actions, MessageView a)
    {
        if (LinkText.SafeHttpUrl(a.UnsubscribeUrl) is { } unsubscribe)
            actions.Add(new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = a.T("link.unsubscribe"), ["url"] = unsubscribe });
    }

    private static JsonObject Fact(string title, string value) => new() { ["title"] = title, ["value"] = value };
}

using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeadlineAlerts.Core.Delivery;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Delivery.Http;

namespace DeadlineAlerts.Delivery.Slack;

/// <summary>
/// Slack incoming webhook: Block Kit blocks plus the plain <c>text</c> fallback (notifications, old clients).
/// Slack answers <c>200 ok</c>, or an HTTP status with a short error code as the body; the code decides:
/// <list type="bullet">
/// <item>429 and 5xx: retry (429 honours Retry-After).</item>
/// <item>403 <c>action_prohibited</c>/<c>invalid_token</c>, 404 <c>channel_not_found</c>/<c>no_service</c>/<c>no_team</c>,
/// 410 <c>channel_is_archived</c>: permanent and the channel is broken: the hook is gone or barred, and
/// only its owner can fix it.</item>
/// <item>400 <c>invalid_payload</c> and other 400s: permanent but the channel is <em>not</em> broken. The
/// payload is ours; blaming the subscriber's hook would hide our bug and stop every later alert.</item>
/// </list>
/// Reasons carry Slack's code, never the webhook URL.
/// </summary>
public sealed class SlackChannel(HttpDelivery http) : IAlertChannel
{
    public string Type => ChannelSpec.Slack;

    private static readonly HashSet<string> BrokenCodes =
        ["action_prohibited", "invalid_token", "channel_not_found", "no_service", "no_team", "no_active_hooks", "channel_is_archived", "team_disabled"];

    public Task<DeliveryOutcome> SendAsync(MessageView message, ChannelSpec channel, CancellationToken cancellationToken)
    {
        var body = SlackMessage.Build(message).ToJsonString();
        return http.PostAsync(channel.Target, new StringContent(body, Encoding.UTF8, "application/json"), null, ReadAsync, cancellationToken);
    }

    private async Task<DeliveryOutcome> ReadAsync(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode) return DeliveryOutcome.Delivered();
        var code = ErrorCode(await response.Content.ReadAsStringAsync());
        var reason = $"Slack answered HTTP {status}" + (code is null ? "" : $" {code}");
        if (HttpOutcome.IsTransient(response.StatusCode)) return DeliveryOutcome.Retry(reason, HttpOutcome.RetryAfter(response, http.Wire));
        var broken = (code is not null && BrokenCodes.Contains(code))
                     || response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.Gone;
        return DeliveryOutcome.Permanent(reason, channelBroken: broken);
    }

    /// <summary>Slack's error body is a bare code such as <c>channel_is_archived</c>; anything else is not repeated.</summary>
    public static string? ErrorCode(string body)
    {
        var code = body.Trim();
        return code.Length is > 0 and <= 64 && code.All(c => c is >= 'a' and <= 'z' or '_' or >= '0' and <= '9') ? code : null;
    }
}

/// <summary>
/// The Block Kit message for one alert, notice or digest: a plain-text header (the title), then per kind a
/// section of facts and a context line (alert, notice) or the summary and one line a deadline, overdue ones in
/// bold (digest). Record text is escaped for mrkdwn, including in the <c>text</c> fallback. Every word we compose is in
/// the subscriber's language (<see cref="MessageView.Language"/>).
/// </summary>
public static class SlackMessage
{
    public static JsonObject Build(MessageView a)
    {
        var blocks = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "header",
                ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = LinkText.Truncate(OneLine(a.Title), MaxHeader), ["emoji"] = false },
            },
        };
        var unsubscribe = LinkText.SafeHttpUrl(a.UnsubscribeUrl) is { } url ? $"<{LinkTarget(url)}|{Escape(a.T("link.unsubscribe"))}>" : null;
        switch (a)
        {
            case DigestMessage d:
                DigestBlocks(blocks, d, unsubscribe);
                break;
            case NoticeMessage n:
                DeadlineBlocks(blocks, NoticeText(n), unsubscribe);
                break;
            case AlertMessage alert:
                DeadlineBlocks(blocks, AlertText(alert), unsubscribe);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(a), a.GetType().Name, "not a message this channel knows");
        }
        return new JsonObject { ["text"] = Fallback(a), ["blocks"] = blocks };
    }

    private static void DeadlineBlocks(JsonArray blocks, (string Facts, string Context) text, string? unsubscribe)
    {
        blocks.Add(Section(text.Facts));
        blocks.Add(Context(unsubscribe is null ? text.Context : $"{text.Context} · {unsubscribe}"));
    }

    private static void DigestBlocks(JsonArray blocks, DigestMessage a, string? unsubscribe)
    {
        blocks.Add(Section(Escape(a.Summary)));
        var lines = a.Items.Select(i => LinkText.Truncate(i.Overdue
            ? a.T("digest.itemOverdue", ("overdue", $"*{Escape(a.T("digest.overdueByLoud", ("time", i.Countdown)))}*"), ("title", Escape(OneLine(i.Title))), ("due", Escape(i.DueText)))
            : a.T("digest.item", ("countdown", $"*{Escape(i.Countdown)}*"), ("title", Escape(OneLine(i.Title))), ("due", Escape(i.DueText))), MaxLine)).ToList();
        var (sections, shown) = Fit(lines, MaxBlocksText - a.Summary.Length - 150 - 600, MaxBlocks - 4);
        foreach (var section in sections) blocks.Add(Section(section));
        if (shown < lines.Count)
        {
            var rest = lines.Count - shown;
            var full = LinkText.SafeHttpUrl(a.FullListUrl) is { } feed
                ? " " + Escape(a.T("digest.fullList", ("link", "\u0001"))).Replace("\u0001", $"<{LinkTarget(feed)}|{Escape(a.T("link.calendarFeed"))}>", StringComparison.Ordinal)
                : "";
            blocks.Add(Section($"_{Escape(a.Language.Count("digest.more", rest, ("channel", "Slack")))}_{full}"));
        }
        if (unsubscribe is not null) blocks.Add(Context(unsubscribe));
    }

    /// <summary>Slack's limits (docs.slack.dev, Block Kit reference): 50 blocks a message, 3,000 characters a section's
    /// text, 150 a header's; and a message whose blocks hold more than about 13,000 characters in all is refused
    /// (<c>msg_blocks_too_long</c>, slackapi/bolt-js#2509), so the digest keeps to 12,000.</summary>
    public const int MaxBlocks = 50, MaxSection = 3000, MaxHeader = 150, MaxBlocksText = 12_000;

    private const int MaxLine = 500;

    /// <summary>
    /// Whole lines into sections of at most <see cref="MaxSection"/> characters, at most <paramref name="maxSections"/>
    /// of them and <paramref name="budget"/> characters in all: a line is never cut between sections, and the lines
    /// that do not fit are counted (<c>Shown</c> says how many did).
    /// </summary>
    public static (List<string> Sections, int Shown) Fit(IReadOnlyList<string> lines, int budget, int maxSections)
    {
        var sections = new List<string>();
        var current = new StringBuilder();
        var used = 0;
        var shown = 0;
        foreach (var line in lines)
        {
            if (used + line.Length + 1 > budget) break;
            if (current.Length > 0 && current.Length + 1 + line.Length > MaxSection)
            {
                if (sections.Count + 1 >= maxSections) break;
                sections.Add(current.ToString());
                current.Clear();
            }
            if (current.Length > 0) current.Append('\n');
            current.Append(line);
            used += line.Length + 1;
            shown++;
        }
        if (current.Length > 0) sections.Add(current.ToString());
        return (sections, shown);
    }

    /// <summary>The notification text: whole lines up to 3,000 characters.</summary>
    private static string Fallback(MessageView a)
    {
        var text = new StringBuilder();
        foreach (var line in Escape(a.PlainText).Split('\n'))
        {
            if (text.Length + line.Length + 1 > MaxSection - 1) { text.Append(text.Length == 0 ? LinkText.Truncate(line, MaxSection) : "\n…"); break; }
            if (text.Length > 0) text.Append('\n');
            text.Append(line);
        }
        return text.ToString();
    }

    private static (string Facts, string Context) NoticeText(NoticeMessage a)
    {
        var facts = new StringBuilder($"*{Escape(a.Headline)}*");
        foreach (var (label, value) in a.FactRows) facts.Append('\n').Append(Field(a, label, Escape(value)));
        AppendSource(facts, a);
        return (facts.ToString(), Escape(a.T("notice.kind")) + (a.Category is { } c ? $" · {Escape(c)}" : ""));
    }

    private static (string Facts, string Context) AlertText(AlertMessage a)
    {
        var facts = new StringBuilder($"*{Escape(a.Countdown)}*\n");
        facts.Append(Field(a, a.T("label.due"), Escape(a.DueInDeadlineZone)));
        if (a.ShowsSubscriberZone) facts.Append('\n').Append(Field(a, a.T("label.yourTime"), Escape(a.DueInSubscriberZone)));
        AppendSource(facts, a);
        if (!string.IsNullOrWhiteSpace(a.Notes)) facts.Append('\n').Append(Escape(a.Notes));
        return (facts.ToString(), Escape(a.Line("label.leadTime", a.LeadWords)) + (a.Category is { } c ? $" · {Escape(c)}" : "")
                                  + (a.Late ? $" · *{Escape(a.T("alert.late"))}*{Escape(a.T("line", ("label", ""), ("value", a.T("alert.lateDetail"))))}" : ""));
    }

    private static JsonObject Section(string mrkdwn) => new()
    {
        ["type"] = "section",
        ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = LinkText.Truncate(mrkdwn, MaxSection) },
    };

    private static JsonObject Context(string mrkdwn) => new()
    {
        ["type"] = "context",
        ["elements"] = new JsonArray { new JsonObject { ["type"] = "mrkdwn", ["text"] = LinkText.Truncate(mrkdwn, 3000) } },
    };

    /// <summary>"*Due:* value": the label and the colon as the language writes them ("*截止时间：* …"), bold;
    /// <paramref name="valueMrkdwn"/> is already escaped. Every language's <c>line</c> ends with its value.</summary>
    private static string Field(MessageView a, string label, string valueMrkdwn) =>
        $"*{Escape(a.T("line", ("label", label), ("value", "")).TrimEnd())}* {valueMrkdwn}";

    private static void AppendSource(StringBuilder facts, MessageView a)
    {
        if (LinkText.SafeHttpUrl(a.Source) is { } url) facts.Append('\n').Append(Field(a, a.T("label.source"), $"<{LinkTarget(url)}|{Escape(LinkText.Truncate(HostOf(url), 80))}>"));
        else if (!string.IsNullOrWhiteSpace(a.Source)) facts.Append('\n').Append(Field(a, a.T("label.source"), Escape(a.Source)));
    }

    /// <summary>Slack's three control characters in mrkdwn: &amp;, &lt;, &gt;. Nothing else needs escaping.</summary>
    public static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>A URL inside <c>&lt;url|label&gt;</c> must not contain the delimiters themselves.</summary>
    private static string LinkTarget(string url) => url.Replace("&", "&amp;").Replace("|", "%7C").Replace("<", "%3C").Replace(">", "%3E");

    private static string HostOf(string url) => new Uri(url).Host;

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
}

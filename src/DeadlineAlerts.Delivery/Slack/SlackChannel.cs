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

    public Task<DeliveryOutcome> SendAsync(AlertView alert, ChannelSpec channel, CancellationToken cancellationToken)
    {
        var body = SlackMessage.Build(alert).ToJsonString();
        return http.PostAsync(channel.Target, new StringContent(body, Encoding.UTF8, "application/json"), null, ReadAsync, cancellationToken);
    }

    private static async Task<DeliveryOutcome> ReadAsync(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode) return DeliveryOutcome.Delivered();
        var code = ErrorCode(await response.Content.ReadAsStringAsync());
        var reason = $"Slack answered HTTP {status}" + (code is null ? "" : $" {code}");
        if (HttpOutcome.IsTransient(response.StatusCode)) return DeliveryOutcome.Retry(reason, HttpOutcome.RetryAfter(response));
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
/// bold (digest). Record text is escaped for mrkdwn, including in the <c>text</c> fallback.
/// </summary>
public static class SlackMessage
{
    public static JsonObject Build(AlertView a)
    {
        var blocks = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "header",
                ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = LinkText.Truncate(OneLine(a.Title), 150), ["emoji"] = false },
            },
        };
        var unsubscribe = LinkText.SafeHttpUrl(a.UnsubscribeUrl) is { } url ? $"<{LinkTarget(url)}|Unsubscribe>" : null;
        if (a.Kind == MessageKind.Digest)
        {
            blocks.Add(Section(Escape(a.Summary ?? "")));
            var lines = string.Join("\n", a.Items.Select(i => i.Overdue
                ? $"*OVERDUE by {Escape(i.Countdown)}*: {Escape(OneLine(i.Title))}, due {Escape(i.DueText)}"
                : $"*{Escape(i.Countdown)}*: {Escape(OneLine(i.Title))}, {Escape(i.DueText)}"));
            if (lines.Length > 0) blocks.Add(Section(lines));
            if (unsubscribe is not null) blocks.Add(Context(unsubscribe));
        }
        else
        {
            var (facts, context) = a.Kind == MessageKind.Notice ? NoticeText(a) : AlertText(a);
            blocks.Add(Section(facts));
            blocks.Add(Context(unsubscribe is null ? context : $"{context} · {unsubscribe}"));
        }
        return new JsonObject { ["text"] = LinkText.Truncate(Escape(a.PlainText), 3000), ["blocks"] = blocks };
    }

    private static (string Facts, string Context) NoticeText(AlertView a)
    {
        var facts = new StringBuilder($"*{Escape(a.Headline)}*");
        foreach (var (label, value) in a.NoticeFactRows) facts.Append($"\n*{Escape(label)}:* {Escape(value)}");
        AppendSource(facts, a.Source);
        return (facts.ToString(), "Change notice" + (a.Category is { } c ? $" · {Escape(c)}" : ""));
    }

    private static (string Facts, string Context) AlertText(AlertView a)
    {
        var facts = new StringBuilder($"*{Escape(a.Countdown)}*\n");
        facts.Append($"*Due:* {Escape(a.DueInDeadlineZone)}");
        if (a.ShowsSubscriberZone) facts.Append($"\n*Your time:* {Escape(a.DueInSubscriberZone)}");
        AppendSource(facts, a.Source);
        if (!string.IsNullOrWhiteSpace(a.Notes)) facts.Append($"\n{Escape(a.Notes)}");
        return (facts.ToString(), $"Lead time {Escape(a.LeadTime?.Text ?? "")}" + (a.Category is { } c ? $" · {Escape(c)}" : "")
                                  + (a.Late ? " · *late alert*: sent after its planned time" : ""));
    }

    private static JsonObject Section(string mrkdwn) => new()
    {
        ["type"] = "section",
        ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = LinkText.Truncate(mrkdwn, 3000) },
    };

    private static JsonObject Context(string mrkdwn) => new()
    {
        ["type"] = "context",
        ["elements"] = new JsonArray { new JsonObject { ["type"] = "mrkdwn", ["text"] = LinkText.Truncate(mrkdwn, 3000) } },
    };

    private static void AppendSource(StringBuilder facts, string? source)
    {
        if (LinkText.SafeHttpUrl(source) is { } url) facts.Append($"\n*Source:* <{LinkTarget(url)}|{Escape(LinkText.Truncate(HostOf(url), 80))}>");
        else if (!string.IsNullOrWhiteSpace(source)) facts.Append($"\n*Source:* {Escape(source)}");
    }

    /// <summary>Slack's three control characters in mrkdwn: &amp;, &lt;, &gt;. Nothing else needs escaping.</summary>
    public static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>A URL inside <c>&lt;url|label&gt;</c> must not contain the delimiters themselves.</summary>
    private static string LinkTarget(string url) => url.Replace("&", "&amp;").Replace("|", "%7C").Replace("<", "%3C").Replace(">", "%3E");

    private static string HostOf(string url) => new Uri(url).Host;

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
}

using System.Security.Cryptography;
using System.Text;

namespace DeadlineAlerts.Core.Records;

/// <summary>
/// One way to reach a subscriber. <see cref="Target"/> is a URL (webhook, slack, teams) or an email
/// address; URLs often carry tokens, so they are secrets: show <see cref="Redacted"/>, never the target.
/// </summary>
public sealed record ChannelSpec
{
    public const string Webhook = "webhook";
    public const string Slack = "slack";
    public const string Teams = "teams";
    public const string Email = "email";
    public static readonly IReadOnlyList<string> KnownTypes = [Webhook, Slack, Teams, Email];

    public required string Type { get; init; }
    public required string Target { get; init; }

    /// <summary>Signing secret of a generic webhook (<c>whsec_...</c>); null for other channels.</summary>
    public string? Secret { get; init; }

    /// <summary>Set by delivery when the other side said the channel is gone for good (Slack 410 and friends).</summary>
    public string? BrokenReason { get; init; }

    /// <summary>
    /// Stable, non-secret identity of the channel within its subscriber: the type and a short hash of the
    /// target. The ledger keys deliveries by it, so reordering channels in a record resends nothing.
    /// </summary>
    public ChannelId Id
    {
        get
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(Type + "\n" + Target));
            return new ChannelId($"{Type}-{Convert.ToHexStringLower(hash, 0, 5)}");
        }
    }

    public string Redacted => Redaction.Target(Type, Target);
}

/// <summary>How secrets are shown to people: enough to recognise, nothing to reuse.</summary>
public static class Redaction
{
    public static string Target(string type, string target) =>
        type == ChannelSpec.Email ? target : Url(target);

    /// <summary>
    /// <c>https://hooks.slack.com/services/T000/B000/XXXX</c> becomes <c>https://hooks.slack.com/***</c>: scheme,
    /// host and a non-default port only. No path segment is kept, because some services put the token in the
    /// first one (Telegram's <c>/bot&lt;TOKEN&gt;/sendMessage</c>); user info and query are dropped too.
    /// </summary>
    public static string Url(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return "***";
        var port = uri.IsDefaultPort ? "" : ":" + uri.Port;
        return $"{uri.Scheme}://{uri.Host}{port}/***";
    }
}

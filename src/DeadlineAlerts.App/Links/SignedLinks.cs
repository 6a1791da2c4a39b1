using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Schedule;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace DeadlineAlerts.App.Links;

/// <summary>
/// Settings under <c>DeadlineAlerts</c> for the links that subscribers follow without an operator key; the one
/// home of both link settings, so delivery (which puts links in messages) does not depend on the API's options.
/// <c>UnsubscribeKey</c> is base64 of at least 32 random bytes (<c>openssl rand -base64 32</c>); it signs
/// both unsubscribe and calendar links, so rotating it invalidates every link already sent. Either setting
/// missing: no links, and a warning at start; either malformed: the host does not start
/// (<see cref="Hosting.LinkOptionsValidator"/>).
/// </summary>
public sealed class LinkOptions
{
    public const string Section = "DeadlineAlerts";

    public string? UnsubscribeKey { get; set; }

    /// <summary>The base URL that links in messages point to (unsubscribe, calendar), e.g.
    /// <c>https://func-xyz.azurewebsites.net</c> or <c>http://127.0.0.1:7071</c> for <c>dla serve</c>.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary><paramref name="text"/> without a trailing slash when it is an absolute http(s) URL; else null.</summary>
    public static string? BaseUrl(string? text)
    {
        var baseUrl = text?.Trim().TrimEnd('/');
        return Uri.TryCreate(baseUrl, UriKind.Absolute, out var u) && u.Scheme is "https" or "http" ? baseUrl : null;
    }

    /// <summary>How long an unsubscribe link in a message works (default 60 days).</summary>
    public TimeSpan UnsubscribeLinkLifetime { get; set; } = TimeSpan.FromDays(60);
}

/// <summary>What a signed link lets its holder do, for one subscriber.</summary>
public static class LinkScope
{
    /// <summary>Remove the whole subscription (the subscriber record).</summary>
    public const string Subscription = "all";

    /// <summary>Read the subscriber's calendar feed. Calendar tokens never expire: a calendar app polls the
    /// same URL for years. Rotating <see cref="LinkOptions.UnsubscribeKey"/> revokes them.</summary>
    public const string Calendar = "calendar";

    private const string ChannelPrefix = "channel:";
    private const string AcknowledgePrefix = "ack:";

    /// <summary>
    /// Say "Got it" for one deadline at the due instant the message was sent for: <c>ack:{due in unix ticks}:{deadline id}</c>.
    /// Bound to that instant, so a link from before an extension or a move acknowledges nothing of the new time.
    /// </summary>
    public static string Acknowledge(DeadlineId deadlineId, Instant dueAt) =>
        AcknowledgePrefix + dueAt.ToUnixTimeTicks().ToString(CultureInfo.InvariantCulture) + ":" + deadlineId.Value;

    /// <summary>The deadline and due instant of an <see cref="Acknowledge"/> scope; null for any other scope.</summary>
    public static (DeadlineId DeadlineId, Instant DueAt)? AcknowledgedOf(string scope)
    {
        if (!scope.StartsWith(AcknowledgePrefix, StringComparison.Ordinal)) return null;
        var rest = scope[AcknowledgePrefix.Length..];
        var colon = rest.IndexOf(':');
        if (colon <= 0 || colon == rest.Length - 1) return null;
        return long.TryParse(rest.AsSpan(0, colon), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ticks)
            ? (DeadlineId.From(rest[(colon + 1)..]), Instant.FromUnixTimeTicks(ticks))
            : null;
    }

    /// <summary>True for the scopes an unsubscribe link carries (the whole subscription, or one channel).</summary>
    public static bool IsUnsubscribe(string scope) => scope == Subscription || ChannelIdOf(scope) is not null;

    /// <summary>Remove one channel (by <see cref="Core.Records.ChannelSpec.Id"/>), the one the message came through.</summary>
    public static string Channel(ChannelId channelId) => ChannelPrefix + channelId;

    public static string? ChannelIdOf(string scope) => scope.StartsWith(ChannelPrefix, StringComparison.Ordinal) ? scope[ChannelPrefix.Length..] : null;
}

/// <summary>A verified token: whose, what for, until when (null: no expiry).</summary>
public sealed record LinkToken(string SubscriberId, string Scope, Instant? Expires);

/// <summary>
/// Signs and verifies the tokens in subscriber links: <c>base64url(payload) "." base64url(HMAC-SHA256(key, payload))</c>,
/// where payload is <c>v1 \n subscriberId \n scope \n expiry (unix seconds, or "-")</c>. Verification compares
/// the MAC in constant time before reading anything else, and answers only "valid" or null: a forged, tampered,
/// truncated or expired token, and one for another purpose, are indistinguishable to the caller.
/// </summary>
public sealed class LinkSigner
{
    private const string Version = "v1";
    private readonly byte[]? _key;

    public LinkSigner(IOptions<LinkOptions> options)
    {
        _key = Key(options.Value.UnsubscribeKey, out var problem);
        Problem = problem;
    }

    /// <summary>Null when links can be signed; else what to fix (names the setting, never its value).</summary>
    public string? Problem { get; }

    public static byte[]? Key(string? text, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "DeadlineAlerts__UnsubscribeKey is not set; give base64 of at least 32 random bytes (openssl rand -base64 32)";
            return null;
        }
        try
        {
            var key = Convert.FromBase64String(text.Trim());
            if (key.Length >= 32) return key;
            problem = $"DeadlineAlerts__UnsubscribeKey holds {key.Length} bytes; give base64 of at least 32 random bytes (openssl rand -base64 32)";
        }
        catch (FormatException)
        {
            problem = "DeadlineAlerts__UnsubscribeKey is not base64; give base64 of at least 32 random bytes (openssl rand -base64 32)";
        }
        return null;
    }

    /// <summary>The token, or null when no valid key is configured.</summary>
    public string? Sign(LinkToken token)
    {
        if (_key is null) return null;
        var expires = token.Expires is { } e ? e.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) : "-";
        var payload = Encoding.UTF8.GetBytes($"{Version}\n{token.SubscriberId}\n{token.Scope}\n{expires}");
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(_key, payload));
    }

    /// <summary>The token's content when it was signed with this key, is well formed and has not expired at <paramref name="now"/>; else null.</summary>
    public LinkToken? Verify(string? token, Instant now)
    {
        if (_key is null || string.IsNullOrEmpty(token) || token.Length > 1024) return null;
        var dot = token.IndexOf('.');
        if (dot <= 0) return null;
        byte[] payload, mac;
        try
        {
            payload = Base64Url.DecodeFromChars(token.AsSpan(0, dot));
            mac = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
        }
        catch (FormatException) { return null; }
        if (!CryptographicOperations.FixedTimeEquals(mac, HMACSHA256.HashData(_key, payload))) return null;

        var parts = Encoding.UTF8.GetString(payload).Split('\n');
        if (parts.Length != 4 || parts[0] != Version) return null;
        Instant? expires = null;
        if (parts[3] != "-")
        {
            if (!long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) return null;
            expires = Instant.FromUnixTimeSeconds(seconds);
            if (now >= expires) return null;
        }
        return new LinkToken(parts[1], parts[2], expires);
    }
}

/// <summary>
/// The links messages and the CLI hand to subscribers: <c>{PublicBaseUrl}/api/unsubscribe?token=...</c> and
/// <c>{PublicBaseUrl}/api/calendar/{id}.ics?token=...</c>. Without a valid key or a public base URL there are
/// no links (null), never a broken one; the host logs once, at startup, what to set.
/// </summary>
public sealed class SubscriberLinks
{
    private readonly LinkSigner _signer;
    private readonly IClock _clock;
    private readonly Duration _lifetime;
    private readonly string? _base;

    public SubscriberLinks(LinkSigner signer, IClock clock, IOptions<LinkOptions> links, ILogger<SubscriberLinks> logger)
    {
        _signer = signer;
        _clock = clock;
        _lifetime = Duration.FromTimeSpan(links.Value.UnsubscribeLinkLifetime);
        _base = LinkOptions.BaseUrl(links.Value.PublicBaseUrl);
        // Both settings are named when both are missing, so one look fixes both.
        string?[] problems = [signer.Problem, _base is null ? "DeadlineAlerts__PublicBaseUrl is not an absolute http(s) URL; set it to the address subscribers reach this app at" : null];
        Problem = problems.Any(p => p is not null) ? string.Join("; and ", problems.OfType<string>()) : null;
        if (Problem is not null)
            logger.LogWarning("Messages will carry no unsubscribe link and no calendar feed is offered: {Problem}", Problem);
    }

    /// <summary>Null when links work; else what to fix, naming each setting (never its value).</summary>
    public string? Problem { get; }

    /// <summary>The one line <c>dla run</c> and <c>dla serve</c> print at start when links are off; null when they work.</summary>
    public string? Warning => Problem is null ? null : $"warning: messages carry no unsubscribe link and no calendar feed is offered: {Problem}";

    /// <summary>A link that removes one channel (<paramref name="channelId"/>) or, with null, the whole subscription.</summary>
    public string? UnsubscribeUrl(SubscriberId subscriberId, ChannelId? channelId)
    {
        if (Problem is not null) return null;
        var scope = channelId is null ? LinkScope.Subscription : LinkScope.Channel(channelId.Value);
        var token = _signer.Sign(new LinkToken(subscriberId.Value, scope, _clock.GetCurrentInstant() + _lifetime));
        return $"{_base}/api/unsubscribe?token={token}";
    }

    /// <summary>
    /// The Got it link of a lead-time alert: says "Got it" for <paramref name="deadlineId"/> at <paramref name="dueAt"/>
    /// on behalf of the subscriber (all channels). Lives as long as an unsubscribe link.
    /// </summary>
    public string? AcknowledgeUrl(SubscriberId subscriberId, DeadlineId deadlineId, Instant dueAt)
    {
        if (Problem is not null) return null;
        var token = _signer.Sign(new LinkToken(subscriberId.Value, LinkScope.Acknowledge(deadlineId, dueAt), _clock.GetCurrentInstant() + _lifetime));
        return $"{_base}/api/acknowledge?token={token}";
    }

    public string? CalendarUrl(SubscriberId subscriberId)
    {
        if (Problem is not null) return null;
        var token = _signer.Sign(new LinkToken(subscriberId.Value, LinkScope.Calendar, null));
        return $"{_base}/api/calendar/{Uri.EscapeDataString(subscriberId.Value)}.ics?token={token}";
    }
}

/// <summary>Resolves <see cref="SubscriberLinks"/> when a host starts, so a missing key is logged then and not at the first message.</summary>
internal sealed class LinkCheck(SubscriberLinks links) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) { _ = links.Problem; return Task.CompletedTask; }
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

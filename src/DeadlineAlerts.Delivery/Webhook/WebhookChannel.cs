using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using DeadlineAlerts.Core.Delivery;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Delivery.Http;
using NodaTime;

namespace DeadlineAlerts.Delivery.Webhook;

/// <summary>
/// The generic JSON webhook, signed to the Standard Webhooks scheme so receivers can verify it and reject
/// replays: <c>webhook-id</c> (the alert id, also sent as <c>Idempotency-Key</c>), <c>webhook-timestamp</c>
/// (unix seconds) and <c>webhook-signature: v1,base64(HMAC-SHA256(key, "id.timestamp.body"))</c>.
/// </summary>
public sealed class WebhookChannel(HttpDelivery http, IClock clock) : IAlertChannel
{
    public string Type => ChannelSpec.Webhook;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        // JSON for machines, not for HTML: keep '+' in offsets and quotes in titles readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public Task<DeliveryOutcome> SendAsync(AlertView alert, ChannelSpec channel, CancellationToken cancellationToken) =>
        PostAsync(alert.AlertId.Value, JsonSerializer.Serialize(WebhookPayload.From(alert), Json), channel, cancellationToken);

    public Task<DeliveryOutcome> SendDigestAsync(DigestView digest, ChannelSpec channel, CancellationToken cancellationToken) =>
        PostAsync(digest.DigestId, JsonSerializer.Serialize(WebhookDigestPayload.From(digest), Json), channel, cancellationToken);

    private Task<DeliveryOutcome> PostAsync(string id, string body, ChannelSpec channel, CancellationToken cancellationToken)
    {
        var timestamp = clock.GetCurrentInstant().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var key = WebhookSecret.Key(channel.Secret);
        return http.PostAsync(channel.Target, new StringContent(body, Encoding.UTF8, "application/json"), headers =>
        {
            headers.Add("Idempotency-Key", id);
            headers.Add("webhook-id", id);
            headers.Add("webhook-timestamp", timestamp);
            if (key is not null) headers.Add("webhook-signature", Sign(key, id, timestamp, body));
        }, response => Task.FromResult(HttpOutcome.From(response)), cancellationToken);
    }

    /// <summary>Standard Webhooks v1 signature of <c>{id}.{timestamp}.{body}</c>.</summary>
    public static string Sign(byte[] key, string id, string timestamp, string body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
}

/// <summary>
/// The JSON a generic webhook receives (camelCase). Stable: receivers parse it. <see cref="Type"/> says the
/// kind: <c>deadline.alert</c> (has <see cref="LeadTime"/>), <c>deadline.notice</c> (has <see cref="Notice"/>,
/// no lead time) or <c>deadline.digest</c> (has <see cref="Items"/>, no deadline). Fields a kind does not
/// have are left out, so an alert's payload is what it was before kinds existed.
/// </summary>
public sealed record WebhookPayload(
    string AlertId,
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WebhookDeadline? Deadline,
    string SubscriberId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LeadTime,
    string FireAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Countdown,
    bool Late,
    string Text)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public WebhookNotice? Notice { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Summary { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<WebhookItem>? Items { get; init; }

    public static string TypeOf(string kind) => "deadline." + kind;

    public static WebhookPayload From(AlertView a) => new(
        a.AlertId.Value,
        TypeOf(a.Kind),
        a.Kind == MessageKind.Digest ? null : new WebhookDeadline(a.DeadlineId, a.Title, a.Category, a.Source,
            TimeText.Iso(a.DueAt),
            new WebhookLocal(TimeText.IsoLocal(a.DueAt, a.DeadlineZone), a.DeadlineZone.Id, a.DueInDeadlineZone),
            new WebhookLocal(TimeText.IsoLocal(a.DueAt, a.SubscriberZone), a.SubscriberZone.Id, a.DueInSubscriberZone)),
        a.SubscriberId,
        a.LeadTime?.Text,
        TimeText.Iso(a.FireAt),
        a.Kind == MessageKind.Digest ? null : a.Countdown,
        a.Late,
        a.PlainText)
    {
        Notice = a.Notice is { } n
            ? new WebhookNotice(n.Change, a.Headline, TimeText.Iso(n.OldDue),
                new WebhookLocal(TimeText.IsoLocal(n.OldDue, a.DeadlineZone), a.DeadlineZone.Id, TimeText.Full(n.OldDue, a.DeadlineZone)),
                new WebhookLocal(TimeText.IsoLocal(n.OldDue, a.SubscriberZone), a.SubscriberZone.Id, TimeText.Full(n.OldDue, a.SubscriberZone)),
                n.Reason, n.By)
            : null,
        Summary = a.Kind == MessageKind.Digest ? a.Summary : null,
        Items = a.Kind == MessageKind.Digest
            ? a.Items.Select(i => new WebhookItem(i.DeadlineId, i.Title, i.Category, TimeText.Iso(i.DueAt),
                new WebhookLocal(TimeText.IsoLocal(i.DueAt, a.SubscriberZone), a.SubscriberZone.Id, i.DueText), i.Countdown, i.Overdue)).ToList()
            : null,
    };
}

/// <summary>What changed: <c>extended</c>, <c>moved-earlier</c>, <c>resolved</c> or <c>cancelled</c>, and the due time before it
/// (the deadline object carries the due time after it).</summary>
public sealed record WebhookNotice(string Change, string Headline, string OldDue, WebhookLocal OldDueInDeadlineZone,
    WebhookLocal OldDueInSubscriberZone, string? Reason, string By);

/// <summary>One deadline of a digest, in the subscriber's zone.</summary>
public sealed record WebhookItem(string Id, string Title, string? Category, string Due, WebhookLocal DueInSubscriberZone, string Countdown, bool Overdue);

public sealed record WebhookDeadline(string Id, string Title, string? Category, string? Source, string Due,
    WebhookLocal DueInDeadlineZone, WebhookLocal DueInSubscriberZone);

public sealed record WebhookLocal(string Local, string TimeZone, string Text);

/// <summary>The JSON a generic webhook receives for a digest (<c>"type": "deadline.digest"</c>), times in the subscriber's zone.</summary>
public sealed record WebhookDigestPayload(
    string DigestId,
    string Type,
    string SubscriberId,
    string Period,
    string SendAt,
    string TimeZone,
    bool Late,
    string Summary,
    IReadOnlyList<WebhookDigestItem> Deadlines,
    string Text)
{
    public static WebhookDigestPayload From(DigestView d) => new(
        d.DigestId,
        "deadline.digest",
        d.SubscriberId,
        d.Period.Key,
        TimeText.Iso(d.Period.SendAt),
        d.Zone.Id,
        d.Late,
        d.Summary,
        d.Items.Select(i => new WebhookDigestItem(i.DeadlineId, i.Title, i.Category, TimeText.Iso(i.DueAt),
            new WebhookLocal(TimeText.IsoLocal(i.DueAt, d.Zone), d.Zone.Id, i.DueInSubscriberZone), i.Countdown, i.Overdue)).ToList(),
        d.PlainText);
}

public sealed record WebhookDigestItem(string Id, string Title, string? Category, string Due, WebhookLocal DueInSubscriberZone, string Countdown, bool Overdue);

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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

/// <summary>The JSON a generic webhook receives (camelCase). Stable: receivers parse it.</summary>
public sealed record WebhookPayload(
    string AlertId,
    string Type,
    WebhookDeadline Deadline,
    string SubscriberId,
    string LeadTime,
    string FireAt,
    string Countdown,
    bool Late,
    string Text)
{
    public static WebhookPayload From(AlertView a) => new(
        a.AlertId.Value,
        "deadline.alert",
        new WebhookDeadline(a.DeadlineId, a.Title, a.Category, a.Source,
            TimeText.Iso(a.DueAt),
            new WebhookLocal(TimeText.IsoLocal(a.DueAt, a.DeadlineZone), a.DeadlineZone.Id, a.DueInDeadlineZone),
            new WebhookLocal(TimeText.IsoLocal(a.DueAt, a.SubscriberZone), a.SubscriberZone.Id, a.DueInSubscriberZone)),
        a.SubscriberId,
        a.LeadTime.Text,
        TimeText.Iso(a.FireAt),
        a.Countdown,
        a.Late,
        a.PlainText);
}

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

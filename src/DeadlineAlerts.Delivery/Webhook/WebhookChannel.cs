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

    public Task<DeliveryOutcome> SendAsync(AlertView alert, ChannelSpec channel, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(WebhookPayload.From(alert), Json);
        var id = alert.AlertId.Value;
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
/// The JSON a generic webhook receives (camelCase). Stable: receivers parse it. <c>unsubscribeUrl</c> is a
/// signed link that removes this webhook from the subscriber (null when the installation issues none).
/// </summary>
public sealed record WebhookPayload(
    string AlertId,
    string Type,
    WebhookDeadline Deadline,
    string SubscriberId,
    string LeadTime,
    string FireAt,
    string Countdown,
    bool Late,
    string Text,
    string? UnsubscribeUrl)
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
        a.PlainText,
        a.UnsubscribeUrl);
}

public sealed record WebhookDeadline(string Id, string Title, string? Category, string? Source, string Due,
    WebhookLocal DueInDeadlineZone, WebhookLocal DueInSubscriberZone);

public sealed record WebhookLocal(string Local, string TimeZone, string Text);

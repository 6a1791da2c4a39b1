using System.Net.Http.Headers;
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
public sealed class WebhookChannel(HttpClient http, IClock clock) : IAlertChannel
{
    public string Type => ChannelSpec.Webhook;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        // JSON for machines, not for HTML: keep '+' in offsets and quotes in titles readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public async Task<DeliveryOutcome> SendAsync(AlertView alert, ChannelSpec channel, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(WebhookPayload.From(alert), Json);
        using var request = new HttpRequestMessage(HttpMethod.Post, channel.Target)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        var id = alert.AlertId.Value;
        request.Headers.Add("Idempotency-Key", id);
        request.Headers.Add("webhook-id", id);
        var timestamp = clock.GetCurrentInstant().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        request.Headers.Add("webhook-timestamp", timestamp);
        if (WebhookSecret.Key(channel.Secret) is { } key)
            request.Headers.Add("webhook-signature", Sign(key, id, timestamp, body));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("DeadlineAlerts", "1.0"));
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            return HttpOutcome.From(response);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return HttpOutcome.FromException(e);
        }
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

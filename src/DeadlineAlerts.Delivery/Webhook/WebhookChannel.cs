using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using DeadlineAlerts.Core.Delivery;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Delivery.Http;
using NodaTime;

namespace DeadlineAlerts.Delivery.Webhook;

/// <summary>
/// The generic JSON webhook, signed to the Standard Webhooks scheme so receivers can verify it and reject
/// replays: <c>webhook-id</c> (the alert id, also sent as <c>Idempotency-Key</c>), <c>webhook-timestamp</c>
/// (unix seconds) and <c>webhook-signature: v1,base64(HMAC-SHA256(key, "id.timestamp.body"))</c>.
/// The timestamp is read from the wire clock (<see cref="HttpDelivery.Wire"/>, real time), never from the schedule
/// clock that <c>dla --now</c> moves: receivers refuse a timestamp more than five minutes from their own clock.
/// </summary>
public sealed class WebhookChannel(HttpDelivery http) : IAlertChannel
{
    public string Type => ChannelSpec.Webhook;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        // JSON for machines, not for HTML: keep '+' in offsets and quotes in titles readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public Task<DeliveryOutcome> SendAsync(MessageView message, ChannelSpec channel, CancellationToken cancellationToken)
    {
        var id = message.MessageId.Value;
        var body = Body(message);
        var timestamp = http.Wire.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var key = WebhookSecret.Key(channel.Secret);
        return http.PostAsync(channel.Target, new StringContent(body, Encoding.UTF8, "application/json"), headers =>
        {
            headers.Add("Idempotency-Key", id);
            headers.Add("webhook-id", id);
            headers.Add("webhook-timestamp", timestamp);
            if (key is not null) headers.Add("webhook-signature", Sign(key, id, timestamp, body));
        }, response => Task.FromResult(HttpOutcome.From(response, http.Wire)), cancellationToken);
    }

    /// <summary>The JSON body for any kind: <see cref="WebhookPayload"/> for an alert or a notice, <see cref="WebhookDigestPayload"/> for a digest.</summary>
    public static string Body(MessageView message) => message switch
    {
        AlertMessage a => JsonSerializer.Serialize(WebhookPayload.From(a), Json),
        NoticeMessage n => JsonSerializer.Serialize(WebhookPayload.From(n), Json),
        DigestMessage d => JsonSerializer.Serialize(WebhookDigestPayload.From(d), Json),
        _ => throw new ArgumentOutOfRangeException(nameof(message), message.GetType().Name, "not a message this channel knows"),
    };

    /// <summary>Standard Webhooks v1 signature of <c>{id}.{timestamp}.{body}</c>.</summary>
    public static string Sign(byte[] key, string id, string timestamp, string body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
}

/// <summary>
/// The JSON a generic webhook receives for an alert or a notice (camelCase; digests: <see cref="WebhookDigestPayload"/>).
/// Stable: receivers parse it. <see cref="Type"/> says the kind: <c>deadline.alert</c> (has <see cref="LeadTime"/>)
/// or <c>deadline.notice</c> (has <see cref="Notice"/>, no lead time). Fields a kind does not have are left out,
/// so an alert's payload is what it was before kinds existed.
/// <c>unsubscribeUrl</c> is a signed link that removes this webhook from the subscriber (null when the
/// installation issues none). An alert also carries <c>acknowledgeUrl</c>, its signed "Got it" link (a page
/// whose button stops the remaining alerts of this deadline for this subscriber); notices and installations
/// without links leave it out.
/// The fields for machines (<c>type</c>, <c>notice.change</c>, ids, ISO times, <c>leadTime</c>) never change with the
/// subscriber's locale; those for people (<c>text</c>, <c>countdown</c>, <c>headline</c>, each <c>…Zone.text</c>,
/// a digest's <c>summary</c>) are in the subscriber's language.
/// </summary>
public sealed record WebhookPayload(
    string AlertId,
    string Type,
    WebhookDeadline Deadline,
    string SubscriberId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LeadTime,
    string FireAt,
    string? Countdown,
    bool Late,
    string Text,
    string? UnsubscribeUrl)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public WebhookNotice? Notice { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? AcknowledgeUrl { get; init; }

    public static string TypeOf(MessageKind kind) => "deadline." + kind.Wire();

    /// <summary>An alert: with its lead time, no notice.</summary>
    public static WebhookPayload From(AlertMessage a) => From(a, a.LeadTime, notice: null);

    /// <summary>A notice: with what changed, no lead time.</summary>
    public static WebhookPayload From(NoticeMessage n) => From(n, lead: null, n.Notice);

    private static WebhookPayload From(MessageView a, LeadTime? lead, NoticeFacts? notice) => new(
        a.MessageId.Value,
        TypeOf(a.Kind),
        new WebhookDeadline(a.DeadlineId.Value, a.Title, a.Category, a.Source,
            TimeText.Iso(a.DueAt),
            new WebhookLocal(TimeText.IsoLocal(a.DueAt, a.DeadlineZone), a.DeadlineZone.Id, a.DueInDeadlineZone),
            new WebhookLocal(TimeText.IsoLocal(a.DueAt, a.SubscriberZone), a.SubscriberZone.Id, a.DueInSubscriberZone)),
        a.SubscriberId.Value,
        lead?.Text,
        TimeText.Iso(a.FireAt),
        // A deadline resolved or cancelled is no longer counted down: null, as the notice's text says nothing of time left.
        notice?.Change is ChangeKind.Resolved or ChangeKind.Cancelled ? null : a.Countdown,
        a.Late,
        a.PlainText,
        a.UnsubscribeUrl)
    {
        Notice = notice is { } n
            ? new WebhookNotice(n.Change, a.Headline, TimeText.Iso(n.OldDue),
                new WebhookLocal(TimeText.IsoLocal(n.OldDue, a.DeadlineZone), a.DeadlineZone.Id, TimeText.Full(n.OldDue, a.DeadlineZone, a.Language)),
                new WebhookLocal(TimeText.IsoLocal(n.OldDue, a.SubscriberZone), a.SubscriberZone.Id, TimeText.Full(n.OldDue, a.SubscriberZone, a.Language)),
                n.Reason, n.By)
            : null,
        AcknowledgeUrl = a.AcknowledgeUrl,
    };
}

/// <summary>What changed: <c>extended</c>, <c>moved-earlier</c>, <c>resolved</c> or <c>cancelled</c>, and the due time before it
/// (the deadline object carries the due time after it).</summary>
public sealed record WebhookNotice(string Change, string Headline, string OldDue, WebhookLocal OldDueInDeadlineZone,
    WebhookLocal OldDueInSubscriberZone, string? Reason, string By);

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
    string Text,
    string? UnsubscribeUrl)
{
    /// <summary>From a digest view (<see cref="DigestMessage.Create"/>): its id, period and send instant, every deadline it lists.</summary>
    public static WebhookDigestPayload From(DigestMessage d)
    {
        var period = d.Digest.Period;
        return new(
            d.MessageId.Value,
            WebhookPayload.TypeOf(MessageKind.Digest),
            d.SubscriberId.Value,
            period.Key,
            TimeText.Iso(period.SendAt),
            d.SubscriberZone.Id,
            d.Late,
            d.Summary,
            d.Items.Select(i => new WebhookDigestItem(i.DeadlineId.Value, i.Title, i.Category, TimeText.Iso(i.DueAt),
                new WebhookLocal(TimeText.IsoLocal(i.DueAt, d.SubscriberZone), d.SubscriberZone.Id, i.DueText), i.Countdown, i.Overdue)).ToList(),
            d.PlainText,
            d.UnsubscribeUrl);
    }
}

/// <summary>One deadline of a digest, in the subscriber's zone.</summary>
public sealed record WebhookDigestItem(string Id, string Title, string? Category, string Due, WebhookLocal DueInSubscriberZone, string Countdown, bool Overdue);

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DeadlineAlerts.Core.Delivery;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Delivery.Tests.Support;
using DeadlineAlerts.Delivery.Webhook;

namespace DeadlineAlerts.Delivery.Tests;

public sealed class WebhookChannelTests : IAsyncLifetime
{
    private LoopbackHttpServer _receiver = null!;
    private IServiceProvider _services = null!;
    private static readonly string Secret = "whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes("a-test-signing-key-of-32-bytes!!"));

    public async Task InitializeAsync()
    {
        _receiver = await LoopbackHttpServer.StartAsync(_ => Reply.Text(204, ""));
        _services = DeliveryHost.AllowingLoopback(_receiver);
    }

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private ChannelSpec Hook => new() { Type = ChannelSpec.Webhook, Target = new Uri(_receiver.BaseUri, "/hooks/deadlines").ToString(), Secret = Secret };

    [Fact]
    public async Task Webhook_signature_verifies_with_the_documented_standard_webhooks_algorithm()
    {
        var alert = Alerts.Sample();

        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var outcome = await _services.Channel("webhook").SendAsync(alert, Hook, CancellationToken.None);
        var after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        Assert.Equal(DeliveryStatus.Delivered, outcome.Status);
        var request = Assert.Single(_receiver.Requests);
        Assert.Equal(alert.MessageId.Value, request.Header("webhook-id"));
        Assert.Equal(alert.MessageId.Value, request.Header("Idempotency-Key"));
        // The wire clock: real time, though this host's schedule clock stands in 2025 (as under `dla --now`).
        Assert.InRange(long.Parse(request.Header("webhook-timestamp")!, CultureInfo.InvariantCulture), before, after);
        Assert.True(ReceiverExample.Verify(Secret, request.Header("webhook-id")!, request.Header("webhook-timestamp")!,
            request.Header("webhook-signature")!, request.Body, DateTimeOffset.UtcNow));
        Assert.Equal("deadline.alert", (string?)JsonNode.Parse(request.BodyText)!["type"]);
        Assert.Equal(Alerts.Unsubscribe, (string?)JsonNode.Parse(request.BodyText)!["unsubscribeUrl"]);
        Assert.Equal(Alerts.Acknowledge, (string?)JsonNode.Parse(request.BodyText)!["acknowledgeUrl"]);
    }

    [Fact]
    public async Task A_webhook_notice_carries_no_acknowledge_url()
    {
        await _services.Channel("webhook").SendAsync(Alerts.ExtensionNotice(), Hook, CancellationToken.None);

        var body = JsonNode.Parse(Assert.Single(_receiver.Requests).BodyText)!.AsObject();
        Assert.Equal("deadline.notice", (string?)body["type"]);
        Assert.False(body.ContainsKey("acknowledgeUrl"));
        Assert.Equal(Alerts.Unsubscribe, (string?)body["unsubscribeUrl"]);
    }

    [Fact]
    public async Task Webhook_signature_fails_for_a_changed_body_or_a_stale_timestamp()
    {
        await _services.Channel("webhook").SendAsync(Alerts.Sample(), Hook, CancellationToken.None);
        var r = Assert.Single(_receiver.Requests);
        var tampered = r.Body.ToArray();
        tampered[^2] ^= 1;

        var sentAt = DateTimeOffset.FromUnixTimeSeconds(long.Parse(r.Header("webhook-timestamp")!, CultureInfo.InvariantCulture));
        Assert.True(ReceiverExample.Verify(Secret, r.Header("webhook-id")!, r.Header("webhook-timestamp")!, r.Header("webhook-signature")!, r.Body, sentAt));
        Assert.False(ReceiverExample.Verify(Secret, r.Header("webhook-id")!, r.Header("webhook-timestamp")!, r.Header("webhook-signature")!, tampered, sentAt));
        Assert.False(ReceiverExample.Verify(Secret, r.Header("webhook-id")!, r.Header("webhook-timestamp")!, r.Header("webhook-signature")!, r.Body,
            sentAt.AddMinutes(6)));
    }

    [Fact]
    public async Task A_webhook_sent_while_the_schedule_clock_stands_in_2025_is_accepted_by_the_Standard_Webhooks_library()
    {
        // DeliveryHost's schedule clock (NodaTime IClock) is set to August 2025, as `dla run --now` sets it. The
        // official library checks the signature and that webhook-timestamp is within 5 minutes of the real clock.
        await _services.Channel("webhook").SendAsync(Alerts.Sample(), Hook, CancellationToken.None);
        var r = Assert.Single(_receiver.Requests);
        var headers = new Microsoft.AspNetCore.Http.HeaderDictionary
        {
            ["webhook-id"] = r.Header("webhook-id"),
            ["webhook-timestamp"] = r.Header("webhook-timestamp"),
            ["webhook-signature"] = r.Header("webhook-signature"),
        };

        new StandardWebhooks.StandardWebhook(Secret).Verify(r.BodyText, headers); // throws if refused

        // The same post, correctly signed but stamped with the schedule clock (what was sent under --now before): refused.
        var stamped2025 = DeliveryHost.Now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        headers["webhook-timestamp"] = stamped2025;
        headers["webhook-signature"] = WebhookChannel.Sign(WebhookSecret.Key(Secret)!, r.Header("webhook-id")!, stamped2025, r.BodyText);
        var refused = Assert.ThrowsAny<Exception>(() => new StandardWebhooks.StandardWebhook(Secret).Verify(r.BodyText, headers));
        Assert.Contains("timestamp", refused.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Webhook_to_127_0_0_1_is_refused_when_not_allow_listed_and_nothing_is_sent()
    {
        var strict = DeliveryHost.Build(new Dictionary<string, string?>());

        var outcome = await strict.Channel("webhook").SendAsync(Alerts.Sample(), Hook, CancellationToken.None);

        Assert.Equal(DeliveryStatus.Permanent, outcome.Status);
        Assert.StartsWith("endpoint refused:", outcome.Reason);
        Assert.DoesNotContain("/hooks/deadlines", outcome.Reason);
        Assert.Empty(_receiver.Requests);
    }

    [Fact]
    public async Task Webhook_slow_receiver_times_out_as_a_retry()
    {
        _receiver.RespondWith(_ => new Reply(200, Delay: TimeSpan.FromSeconds(30)));
        var services = DeliveryHost.AllowingLoopback(_receiver, ("DeadlineAlerts:Delivery:RequestTimeout", "00:00:00.300"));

        var outcome = await services.Channel("webhook").SendAsync(Alerts.Sample(), Hook, CancellationToken.None);

        Assert.Equal(DeliveryStatus.Retry, outcome.Status);
        Assert.Equal("timed out waiting for the receiver", outcome.Reason);
    }
}

/// <summary>The receiver-side check documented in src/DeadlineAlerts.Delivery/README.md (same steps, same algorithm).</summary>
public static class ReceiverExample
{
    public static bool Verify(string secret, string id, string timestamp, string signatureHeader, byte[] body, DateTimeOffset now)
    {
        // 1. Replay protection: reject timestamps more than 5 minutes from now.
        if (!long.TryParse(timestamp, out var unix)) return false;
        if (Math.Abs(now.ToUnixTimeSeconds() - unix) > 5 * 60) return false;

        // 2. HMAC-SHA256 over "{id}.{timestamp}.{body}" with the base64 key after "whsec_".
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(body).ToArray();
        var expected = Convert.ToBase64String(HMACSHA256.HashData(key, signed));

        // 3. The header may hold several space-separated "v1,<base64>" signatures (key rotation).
        foreach (var candidate in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = candidate.Split(',', 2);
            if (parts.Length == 2 && parts[0] == "v1"
                && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(parts[1]), Encoding.ASCII.GetBytes(expected)))
                return true;
        }
        return false;
    }
}

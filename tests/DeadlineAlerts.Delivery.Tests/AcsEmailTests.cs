using System.Text.Json.Nodes;
using Azure.Core;
using DeadlineAlerts.Core.Delivery;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Delivery.Email;
using DeadlineAlerts.Delivery.Email.Acs;
using DeadlineAlerts.Delivery.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DeadlineAlerts.Delivery.Tests;

public sealed class AcsEmailTests : IAsyncLifetime
{
    private FakeAcs _acs = null!;
    private static readonly ChannelSpec Inbox = new() { Type = ChannelSpec.Email, Target = "desk@example.com" };

    public async Task InitializeAsync() => _acs = await FakeAcs.StartAsync();
    public async Task DisposeAsync() => await _acs.DisposeAsync();

    private ServiceProvider Host(Action<IServiceCollection>? extra = null, params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["DeadlineAlerts:Email:Transport"] = "acs",
            ["DeadlineAlerts:Email:From"] = "alerts@example.com",
            ["DeadlineAlerts:Email:Acs:ConnectionString"] = _acs.ConnectionString,
            ["DeadlineAlerts:Email:Acs:MaxPollInterval"] = "00:00:00.010",
            ["DeadlineAlerts:Email:Acs:MaxPerMinute"] = "600000",
        };
        foreach (var (k, v) in more) settings[k] = v;
        return DeliveryHost.Build(settings, extra);
    }

    private static Task<DeliveryOutcome> Send(IServiceProvider host, Core.Rendering.MessageView? alert = null) =>
        host.Channel("email").SendAsync(alert ?? Alerts.Sample(), Inbox, CancellationToken.None);

    [Fact]
    public async Task Acs_send_is_hmac_signed_and_polled_until_succeeded()
    {
        _acs.PollStatuses.Enqueue("Running");
        _acs.PollStatuses.Enqueue("Succeeded");
        var alert = Alerts.Sample();
        var expectedId = EmailRenderer.DeterministicGuid($"{alert.MessageId.Value}\n{Inbox.Id}");

        var outcome = await Send(Host(), alert);

        Assert.Equal(DeliveryOutcome.Delivered(expectedId.ToString()), outcome);
        Assert.Empty(_acs.SignatureProblems);
        var requests = _acs.Requests;
        Assert.Equal(["POST", "GET", "GET"], requests.Select(r => r.Method));
        var send = requests[0];
        Assert.Equal("/emails:send?api-version=2023-03-31", send.RawTarget);
        Assert.Equal(expectedId.ToString(), send.Header("Operation-Id"));
        Assert.True(Guid.TryParse(send.Header("x-ms-client-request-id"), out _));
        Assert.StartsWith("HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=", send.Header("Authorization"));
        // x-ms-date is the real time although the schedule clock stands in 2025 (ACS refuses a request 15 minutes off).
        var signedAt = DateTimeOffset.ParseExact(send.Header("x-ms-date")!, "r", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(signedAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal($"/emails/operations/{expectedId}?api-version=2023-03-31", requests[1].RawTarget);
        Assert.Equal("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", requests[1].Header("x-ms-content-sha256"));

        var body = JsonNode.Parse(send.BodyText)!;
        Assert.Equal("alerts@example.com", (string?)body["senderAddress"]);
        Assert.Equal("7 days left: US-China tariff truce expires, Tue 12 Aug 00:01 EDT", (string?)body["content"]!["subject"]);
        Assert.Contains("Due: Tue 12 Aug 2025 00:01 EDT (America/New_York)", (string?)body["content"]!["plainText"]);
        Assert.Contains("<h1", (string?)body["content"]!["html"]);
        var to = Assert.Single(body["recipients"]!["to"]!.AsArray())!;
        Assert.Equal("desk@example.com", (string?)to["address"]);
        Assert.Equal("Trade desk", (string?)to["displayName"]);
        Assert.Equal($"<{Alerts.Unsubscribe}>", (string?)body["headers"]!["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", (string?)body["headers"]!["List-Unsubscribe-Post"]);
        Assert.True((bool?)body["userEngagementTrackingDisabled"]);
    }

    [Fact]
    public async Task Acs_retried_send_reuses_the_operation_id_so_it_is_not_a_second_email()
    {
        var host = Host();
        await Send(host);
        await Send(host);

        var ids = _acs.Requests.Where(r => r.Method == "POST").Select(r => r.Header("Operation-Id")).Distinct();
        Assert.Single(ids);
    }

    [Fact]
    public async Task Acs_409_for_a_known_operation_polls_that_operation()
    {
        _acs.SendReplies.Enqueue(_ => Reply.Text(409, """{"error":{"code":"Conflict","message":"Operation already exists."}}"""));

        var outcome = await Send(Host());

        Assert.Equal(DeliveryStatus.Delivered, outcome.Status);
        Assert.Equal("GET", _acs.Requests[1].Method);
    }

    [Fact]
    public async Task Acs_429_is_a_retry_honouring_retry_after()
    {
        _acs.SendReplies.Enqueue(_ => Reply.Text(429, """{"error":{"code":"TooManyRequests","message":"Rate limit exceeded."}}""", ("Retry-After", "37")));

        var outcome = await Send(Host());

        Assert.Equal(DeliveryStatus.Retry, outcome.Status);
        Assert.True(NodaTime.Duration.FromSeconds(37) == outcome.RetryAfter, outcome.Reason);
        Assert.Contains("TooManyRequests", outcome.Reason);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(408)]
    public async Task Acs_server_errors_and_timeouts_are_retries(int status)
    {
        _acs.SendReplies.Enqueue(_ => Reply.Text(status, ""));

        var outcome = await Send(Host());

        Assert.Equal(DeliveryStatus.Retry, outcome.Status);
    }

    [Fact]
    public async Task Acs_400_is_permanent_with_the_service_error_code_and_no_key_in_the_reason()
    {
        _acs.SendReplies.Enqueue(_ => Reply.Text(400, """{"error":{"code":"InvalidSenderDomain","message":"The sender domain has not been linked."}}""",
            ("x-ms-error-code", "InvalidSenderDomain")));

        var outcome = await Send(Host());

        Assert.Equal(DeliveryStatus.Permanent, outcome.Status);
        Assert.False(outcome.ChannelBroken);
        Assert.Equal("ACS HTTP 400 InvalidSenderDomain: The sender domain has not been linked.", outcome.Reason);
        Assert.DoesNotContain(FakeAcs.AccessKey, outcome.Reason);
    }

    [Fact]
    public async Task Acs_failed_operation_is_permanent_with_its_error_code()
    {
        _acs.PollStatuses.Enqueue("Failed");

        var outcome = await Send(Host());

        Assert.Equal(DeliveryStatus.Permanent, outcome.Status);
        Assert.StartsWith("ACS operation Failed EmailDropped", outcome.Reason);
    }

    [Fact]
    public async Task Acs_wrong_access_key_is_refused_by_the_signature_check_and_is_permanent()
    {
        var wrong = $"endpoint={_acs.Endpoint};accesskey={Convert.ToBase64String(new byte[32])}";

        var outcome = await Send(Host(null, ("DeadlineAlerts:Email:Acs:ConnectionString", wrong)));

        Assert.Equal(DeliveryStatus.Permanent, outcome.Status);
        Assert.Equal("signature mismatch", Assert.Single(_acs.SignatureProblems));
        Assert.DoesNotContain(Convert.ToBase64String(new byte[32]), outcome.Reason);
    }

    [Fact]
    public async Task Acs_endpoint_alone_uses_an_entra_id_bearer_token_for_the_communication_scope()
    {
        _acs.ExpectBearer = true;
        var credential = new RecordingCredential();
        var host = Host(s => s.AddSingleton<TokenCredential>(credential),
            ("DeadlineAlerts:Email:Acs:ConnectionString", null), ("DeadlineAlerts:Email:Acs:Endpoint", _acs.Endpoint.ToString()));

        var outcome = await Send(host);

        Assert.Equal(DeliveryStatus.Delivered, outcome.Status);
        Assert.All(_acs.Requests, r => Assert.Equal("Bearer token-for-tests", r.Header("Authorization")));
        Assert.Equal(["https://communication.azure.com//.default"], credential.Scopes.Distinct());
    }

    [Fact]
    public async Task Acs_pacing_hands_back_a_retry_when_the_minute_is_used_up()
    {
        var host = Host(null, ("DeadlineAlerts:Email:Acs:MaxPerMinute", "1"), ("DeadlineAlerts:Email:Acs:MaxPacingWait", "00:00:01"));

        var first = await Send(host);
        var second = await Send(host, Alerts.Sample(subscriberId: "desk-2"));

        Assert.Equal(DeliveryStatus.Delivered, first.Status);
        Assert.Equal(DeliveryStatus.Retry, second.Status);
        Assert.True(second.RetryAfter > NodaTime.Duration.FromSeconds(50));
        Assert.Single(_acs.Requests, r => r.Method == "POST");
    }

    [Fact]
    public void Acs_http_endpoint_on_a_non_loopback_host_is_refused()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            AcsEndpoint.From(new AcsEmailClientOptions { ConnectionString = $"endpoint=http://contoso.communication.azure.com/;accesskey={FakeAcs.AccessKey}" }));

        Assert.Contains("must use https", e.Message);
        Assert.DoesNotContain(FakeAcs.AccessKey, e.Message);
    }

    [Fact]
    public async Task Acs_refused_settings_leave_email_retrying_with_a_reason_that_names_the_setting_not_the_key()
    {
        var host = Host(null, ("DeadlineAlerts:Email:Acs:ConnectionString", $"endpoint=http://contoso.communication.azure.com/;accesskey={FakeAcs.AccessKey}"));

        var outcome = await Send(host);

        Assert.Equal(DeliveryStatus.Retry, outcome.Status);
        Assert.Contains("must use https", outcome.Reason);
        Assert.DoesNotContain(FakeAcs.AccessKey, outcome.Reason);
        Assert.Empty(_acs.Requests);
    }

    [Fact]
    public void Acs_signature_matches_the_documented_string_to_sign()
    {
        var uri = new Uri("https://contoso.communication.azure.com/emails:send?api-version=2023-03-31");
        var date = AcsHmacSigner.Date(new DateTimeOffset(2025, 8, 5, 4, 1, 0, TimeSpan.Zero));

        Assert.Equal("Tue, 05 Aug 2025 04:01:00 GMT", date);
        Assert.Equal($"POST\n/emails:send?api-version=2023-03-31\n{date};contoso.communication.azure.com;47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
            AcsHmacSigner.StringToSign("POST", uri, date, AcsHmacSigner.ContentHash([])));
    }

    private sealed class RecordingCredential : TokenCredential
    {
        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (Scopes) Scopes.AddRange(requestContext.Scopes);
            return new AccessToken("token-for-tests", DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}

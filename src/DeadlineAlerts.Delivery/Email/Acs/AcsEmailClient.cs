using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Core;
using DeadlineAlerts.Delivery.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeadlineAlerts.Delivery.Email.Acs;

/// <summary>
/// A small client for the Azure Communication Services Email REST API (GA <c>2023-03-31</c>), shaped like an
/// Azure SDK client; the <c>Azure.Communication.Email</c> package is not available to us.
/// <para>Contract of one <see cref="SendAsync"/>:</para>
/// <list type="number">
/// <item>Pacing: at most <see cref="AcsEmailClientOptions.MaxPerMinute"/> sends per minute from this client;
/// a send waits for its slot, or returns <see cref="AcsSendState.Throttled"/> at once when the slot is more than
/// <see cref="AcsEmailClientOptions.MaxPacingWait"/> away.</item>
/// <item><c>POST {endpoint}/emails:send?api-version=2023-03-31</c> with <c>Operation-Id</c> = the caller's
/// deterministic id, so a retried send names the same operation instead of making a second email; a
/// <c>409</c> for an id the service already has is read as "that operation exists" and it is polled.</item>
/// <item><c>202 Accepted</c> carries <c>Operation-Location</c> and <c>retry-after</c>; the operation is polled
/// (GET, signed like the POST) until <c>Succeeded</c>, <c>Failed</c> or <c>Canceled</c>, waiting the service's
/// retry-after (capped at <see cref="AcsEmailClientOptions.MaxPollInterval"/>) between polls, for at most
/// <see cref="AcsEmailClientOptions.MaxPollDuration"/>; still running then: <see cref="AcsSendState.Accepted"/>.</item>
/// <item><c>429</c>: <see cref="AcsSendState.Throttled"/> with the service's Retry-After; <c>408</c>, <c>5xx</c> and
/// network failures: <see cref="AcsSendState.Transient"/>; any other <c>4xx</c>: <see cref="AcsSendState.Rejected"/>
/// with the service's error code.</item>
/// </list>
/// Authentication is HMAC-SHA256 with the access key (<see cref="AcsHmacSigner"/>) or an Entra ID bearer
/// token for scope <see cref="Scope"/>. Neither the key nor the token is ever logged or returned.
/// </summary>
public sealed class AcsEmailClient : IDisposable
{
    /// <summary>Entra ID scope of Communication Services; the double slash is part of it.</summary>
    public const string Scope = "https://communication.azure.com//.default";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;
    private readonly AcsEmailClientOptions _options;
    private readonly AcsEndpoint _endpoint;
    private readonly TokenCredential? _credential;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RateSchedule _pacing;
    private readonly SemaphoreSlim _tokenGate = new(1, 1);
    private AccessToken? _token;

    /// <param name="credential">Used when the options give an endpoint without an access key; defaults to <c>DefaultAzureCredential</c>.</param>
    /// <exception cref="InvalidOperationException">The settings are missing or unsafe (see <see cref="AcsEndpoint.From"/>).</exception>
    public AcsEmailClient(HttpClient http, AcsEmailClientOptions options, TokenCredential? credential = null,
        TimeProvider? time = null, ILogger<AcsEmailClient>? logger = null)
    {
        _http = http;
        _options = options;
        _endpoint = AcsEndpoint.From(options);
        _credential = _endpoint.UsesAccessKey ? null : credential ?? new Azure.Identity.DefaultAzureCredential();
        _time = time ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        if (options.MaxPerMinute < 1) throw new InvalidOperationException("DeadlineAlerts__Email__Acs__MaxPerMinute must be at least 1");
        _pacing = new RateSchedule(options.MaxPerMinute, TimeSpan.FromMinutes(1));
    }

    public Uri Endpoint => _endpoint.Endpoint;
    public bool UsesAccessKey => _endpoint.UsesAccessKey;

    /// <summary>The Entra ID credential requests are signed with; null when the access key (HMAC) signs them.</summary>
    public TokenCredential? Credential => _credential;

    public void Dispose() => _tokenGate.Dispose();

    public async Task<AcsSendResult> SendAsync(AcsEmailMessage message, Guid operationId, CancellationToken cancellationToken)
    {
        var slot = _pacing.Reserve(_time.GetUtcNow(), _options.MaxPacingWait);
        if (!slot.Granted) return AcsSendResult.Throttled(operationId, "local pacing (MaxPerMinute) is full", slot.Wait);
        if (slot.Wait > TimeSpan.Zero) await Task.Delay(slot.Wait, _time, cancellationToken);

        // Built as text: "emails:send" alone would parse as a URI with the scheme "emails".
        var sendUri = new Uri($"{_endpoint.Endpoint.GetLeftPart(UriPartial.Authority)}/emails:send?api-version={Uri.EscapeDataString(_options.ApiVersion)}");
        var body = JsonSerializer.SerializeToUtf8Bytes(message, Json);
        Uri pollUri;
        TimeSpan? wait;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, sendUri) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
            request.Headers.Add("Operation-Id", operationId.ToString());
            request.Headers.Add("x-ms-client-request-id", Guid.NewGuid().ToString());
            await AuthorizeAsync(request, body, cancellationToken);
            using var response = await _http.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Accepted && response.StatusCode != HttpStatusCode.Conflict)
                return await FailureAsync(response, operationId);
            if (response.StatusCode == HttpStatusCode.Conflict)
                _logger.LogInformation("ACS already has email operation {OperationId}; polling it", operationId);
            pollUri = PollUri(response, operationId);
            wait = RetryAfter(response);
            _logger.LogInformation("ACS accepted email operation {OperationId}", operationId);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return AcsSendResult.Transient(operationId, Describe(e), null);
        }
        return await PollAsync(pollUri, operationId, wait, cancellationToken);
    }

    private async Task<AcsSendResult> PollAsync(Uri pollUri, Guid operationId, TimeSpan? firstWait, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + _options.MaxPollDuration;
        var wait = firstWait;
        string? lastProblem = null;
        while (true)
        {
            var delay = Clamp(wait ?? _options.DefaultPollInterval);
            if (_time.GetUtcNow() + delay > deadline) break;
            if (delay > TimeSpan.Zero) await Task.Delay(delay, _time, cancellationToken);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, pollUri);
                await AuthorizeAsync(request, [], cancellationToken);
                using var response = await _http.SendAsync(request, cancellationToken);
                wait = RetryAfter(response);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    if (HttpOutcome.IsTransient(response.StatusCode)) { lastProblem = $"status poll answered HTTP {(int)response.StatusCode}"; continue; }
                    return await FailureAsync(response, operationId);
                }
                var status = await response.Content.ReadFromJsonAsync<AcsOperationStatus>(Json, cancellationToken);
                switch (status?.Status)
                {
                    case "Succeeded":
                        _logger.LogInformation("ACS email operation {OperationId} succeeded", operationId);
                        return AcsSendResult.Succeeded(operationId);
                    case "Failed":
                    case "Canceled":
                        _logger.LogWarning("ACS email operation {OperationId} ended {Status} ({Code})", operationId, status.Status, status.Error?.Code);
                        return AcsSendResult.Ended(operationId, status.Status, status.Error?.Code, status.Error?.Message);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                lastProblem = Describe(e);
            }
        }
        _logger.LogWarning("ACS email operation {OperationId} not finished after {Seconds} s ({Problem}); taking accepted as sent",
            operationId, _options.MaxPollDuration.TotalSeconds, lastProblem ?? "still running");
        return AcsSendResult.Accepted(operationId);
    }

    private TimeSpan Clamp(TimeSpan wait) => wait < TimeSpan.Zero ? TimeSpan.Zero : wait > _options.MaxPollInterval ? _options.MaxPollInterval : wait;

    private async Task AuthorizeAsync(HttpRequestMessage request, byte[] body, CancellationToken cancellationToken)
    {
        if (_endpoint.AccessKey is { } key)
        {
            AcsHmacSigner.Sign(request, key, body, _time.GetUtcNow());
            return;
        }
        request.Headers.Authorization = new("Bearer", (await TokenAsync(cancellationToken)).Token);
    }

    private async Task<AccessToken> TokenAsync(CancellationToken cancellationToken)
    {
        await _tokenGate.WaitAsync(cancellationToken);
        try
        {
            if (_token is { } cached && cached.ExpiresOn - _time.GetUtcNow() > TimeSpan.FromMinutes(5)) return cached;
            var token = await _credential!.GetTokenAsync(new TokenRequestContext([Scope]), cancellationToken);
            _token = token;
            return token;
        }
        finally { _tokenGate.Release(); }
    }

    /// <summary>Follows Operation-Location only on the resource's own host; otherwise polls the documented path.</summary>
    private Uri PollUri(HttpResponseMessage response, Guid operationId)
    {
        if (response.Headers.TryGetValues("Operation-Location", out var values)
            && Uri.TryCreate(values.FirstOrDefault(), UriKind.Absolute, out var location)
            && string.Equals(location.Authority, _endpoint.Endpoint.Authority, StringComparison.OrdinalIgnoreCase)
            && location.Scheme == _endpoint.Endpoint.Scheme)
            return location;
        return new Uri($"{_endpoint.Endpoint.GetLeftPart(UriPartial.Authority)}/emails/operations/{operationId}?api-version={Uri.EscapeDataString(_options.ApiVersion)}");
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter?.Delta is { } delta) return delta;
        if (response.Headers.RetryAfter?.Date is { } date) return date - _time.GetUtcNow();
        return null;
    }

    private async Task<AcsSendResult> FailureAsync(HttpResponseMessage response, Guid operationId)
    {
        var status = (int)response.StatusCode;
        var code = response.Headers.TryGetValues("x-ms-error-code", out var codes) ? codes.FirstOrDefault() : null;
        string? message = null;
        try
        {
            var error = await response.Content.ReadFromJsonAsync<AcsErrorResponse>(Json);
            code ??= error?.Error?.Code;
            message = error?.Error?.Message;
        }
        catch (JsonException) { }
        var detail = $"HTTP {status}" + (code is null ? "" : $" {code}") + (message is null ? "" : $": {LinkText.Truncate(message, 200)}");
        if (response.StatusCode == HttpStatusCode.TooManyRequests) return AcsSendResult.Throttled(operationId, detail, RetryAfter(response));
        if (HttpOutcome.IsTransient(response.StatusCode)) return AcsSendResult.Transient(operationId, detail, RetryAfter(response));
        return AcsSendResult.Rejected(operationId, status, code, detail);
    }

    private static string Describe(Exception e) => e switch
    {
        TimeoutException or TaskCanceledException => "timed out waiting for ACS",
        HttpRequestException h => $"request to ACS failed ({h.HttpRequestError})",
        Azure.Identity.AuthenticationFailedException or Azure.Identity.CredentialUnavailableException => "could not get an Entra ID token for ACS (check the managed identity and its role)",
        JsonException => "ACS answered with JSON we could not read",
        _ => $"request to ACS failed ({e.GetType().Name})",
    };
}

public enum AcsSendState
{
    /// <summary>The operation reached <c>Succeeded</c>.</summary>
    Succeeded,
    /// <summary>ACS accepted the message (202) but polling ended before a terminal status.</summary>
    Accepted,
    /// <summary>The operation ended <c>Failed</c> or <c>Canceled</c> (for example <c>EmailDropped</c>).</summary>
    Ended,
    /// <summary>429 from ACS or our own pacing: try again after <see cref="AcsSendResult.RetryAfter"/>.</summary>
    Throttled,
    /// <summary>408, 5xx, network failure or timeout.</summary>
    Transient,
    /// <summary>A 4xx other than 408/429: the request itself was refused (bad sender, bad auth, invalid payload).</summary>
    Rejected,
}

/// <summary>What came of one <see cref="AcsEmailClient.SendAsync"/>. <see cref="Detail"/> holds status codes and ACS error codes only.</summary>
public sealed record AcsSendResult(AcsSendState State, Guid OperationId, string? Detail = null, TimeSpan? RetryAfter = null,
    int? HttpStatus = null, string? ErrorCode = null)
{
    public static AcsSendResult Succeeded(Guid id) => new(AcsSendState.Succeeded, id);
    public static AcsSendResult Accepted(Guid id) => new(AcsSendState.Accepted, id);
    public static AcsSendResult Ended(Guid id, string status, string? code, string? message) =>
        new(AcsSendState.Ended, id, $"operation {status}" + (code is null ? "" : $" {code}") + (message is null ? "" : $": {LinkText.Truncate(message, 200)}"), ErrorCode: code);
    public static AcsSendResult Throttled(Guid id, string detail, TimeSpan? after) => new(AcsSendState.Throttled, id, detail, after);
    public static AcsSendResult Transient(Guid id, string detail, TimeSpan? after) => new(AcsSendState.Transient, id, detail, after);
    public static AcsSendResult Rejected(Guid id, int status, string? code, string detail) => new(AcsSendState.Rejected, id, detail, HttpStatus: status, ErrorCode: code);
}

/// <summary>The <c>EmailMessage</c> body of <c>emails:send</c> (camelCase JSON).</summary>
public sealed record AcsEmailMessage(
    string SenderAddress,
    AcsEmailContent Content,
    AcsEmailRecipients Recipients,
    IReadOnlyDictionary<string, string>? Headers = null,
    bool? UserEngagementTrackingDisabled = null);

public sealed record AcsEmailContent(string Subject, string? PlainText, string? Html);

public sealed record AcsEmailRecipients(IReadOnlyList<AcsEmailAddress> To);

public sealed record AcsEmailAddress(string Address, string? DisplayName = null);

internal sealed record AcsOperationStatus(string? Id, string? Status, AcsError? Error);

internal sealed record AcsErrorResponse(AcsError? Error);

internal sealed record AcsError(string? Code, string? Message);

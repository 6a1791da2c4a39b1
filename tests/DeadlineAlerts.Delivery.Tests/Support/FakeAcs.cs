using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace DeadlineAlerts.Delivery.Tests.Support;

/// <summary>
/// An ACS Email endpoint on loopback. Every request's HMAC signature is recomputed from what arrived (verb,
/// raw path and query, x-ms-date, Host, SHA-256 of the body bytes) and compared byte for byte; a mismatch
/// is answered 401 as the service does. Sends and polls answer from scripts.
/// </summary>
public sealed class FakeAcs : IAsyncDisposable
{
    public static readonly string AccessKey = Convert.ToBase64String(Encoding.UTF8.GetBytes("fake-acs-access-key-0123456789abcdef"));

    private readonly LoopbackHttpServer _server;
    public ConcurrentQueue<string> SignatureProblems { get; } = new();
    public ConcurrentQueue<Func<RecordedRequest, Reply>> SendReplies { get; } = new();
    public ConcurrentQueue<string> PollStatuses { get; } = new();
    public bool ExpectBearer { get; set; }

    private FakeAcs(LoopbackHttpServer server) => _server = server;

    public Uri Endpoint => _server.BaseUri;
    public string ConnectionString => $"endpoint={Endpoint};accesskey={AccessKey}";
    public IReadOnlyList<RecordedRequest> Requests => _server.Requests.ToList();

    public static async Task<FakeAcs> StartAsync()
    {
        FakeAcs? acs = null;
        var server = await LoopbackHttpServer.StartAsync(r => acs!.Answer(r));
        acs = new FakeAcs(server);
        return acs;
    }

    private Reply Answer(RecordedRequest r)
    {
        if (!ExpectBearer && Verify(r) is { } problem)
        {
            SignatureProblems.Enqueue(problem);
            return Reply.Text(401, """{"error":{"code":"Denied","message":"Denied by the resource provider."}}""");
        }
        if (r.Method == "POST" && r.RawTarget.StartsWith("/emails:send?", StringComparison.Ordinal))
            return SendReplies.TryDequeue(out var send) ? send(r) : Accepted(r);
        if (r.Method == "GET" && r.RawTarget.StartsWith("/emails/operations/", StringComparison.Ordinal))
        {
            var id = r.RawTarget["/emails/operations/".Length..].Split('?')[0];
            var status = PollStatuses.TryDequeue(out var s) ? s : "Succeeded";
            return status switch
            {
                "Failed" => Reply.Text(200, "{\"id\":\"" + id + "\",\"status\":\"Failed\",\"error\":{\"code\":\"EmailDropped\",\"message\":\"Email was dropped after several attempts to deliver.\"}}"),
                "Running" or "NotStarted" => Reply.Text(200, $$"""{"id":"{{id}}","status":"{{status}}"}""", ("retry-after", "1")),
                _ => Reply.Text(200, $$"""{"id":"{{id}}","status":"{{status}}"}"""),
            };
        }
        return Reply.Text(404, """{"error":{"code":"NotFound","message":"no such route"}}""");
    }

    /// <summary>The service's 202: Operation-Location on this host, retry-after, body {id, status: Running}.</summary>
    public Reply Accepted(RecordedRequest r)
    {
        var id = r.Header("Operation-Id")!;
        return Reply.Text(202, $$"""{"id":"{{id}}","status":"Running"}""",
            ("Operation-Location", new Uri(Endpoint, $"/emails/operations/{id}?api-version=2023-03-31").ToString()), ("retry-after", "1"));
    }

    /// <summary>Null when the signature is right; else what is wrong.</summary>
    public static string? Verify(RecordedRequest r)
    {
        var date = r.Header("x-ms-date");
        var hash = r.Header("x-ms-content-sha256");
        var auth = r.Header("Authorization");
        if (date is null || hash is null || auth is null) return "missing x-ms-date, x-ms-content-sha256 or Authorization";
        if (!DateTimeOffset.TryParseExact(date, "r", null, System.Globalization.DateTimeStyles.AssumeUniversal, out _)) return "x-ms-date is not RFC 1123";
        var actualHash = Convert.ToBase64String(SHA256.HashData(r.Body));
        if (hash != actualHash) return "x-ms-content-sha256 does not match the body";
        var stringToSign = $"{r.Method}\n{r.RawTarget}\n{date};{r.Host};{actualHash}";
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(AccessKey), Encoding.UTF8.GetBytes(stringToSign)));
        var expected = $"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}";
        return auth == expected ? null : "signature mismatch";
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

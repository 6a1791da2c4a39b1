using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using DeadlineAlerts.Storage;
using NodaTime;

namespace DeadlineAlerts.Cli.Tests;

/// <summary>
/// The router's refusals as a client meets them over real HTTP to <c>dla serve</c>. Kestrel decodes the path before the
/// router sees it (all but <c>%2F</c>, and it removes dot segments), so the request line is written by hand on a socket:
/// an HTTP client library would normalise the very paths under test.
/// </summary>
public sealed class ServeRequestRulesTests
{
    private static readonly Instant Aug6 = Instant.FromUtc(2025, 8, 6, 12, 0);

    private sealed record RawAnswer(int Status, string Head, string Body)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;
    }

    /// <summary>One request exactly as written, over a fresh connection.</summary>
    private static async Task<RawAnswer> SendRawAsync(Uri host, string method, string target, string? contentType = null, string? body = null)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(host.Host, host.Port);
        await using var stream = client.GetStream();
        var bytes = Encoding.UTF8.GetBytes(body ?? "");
        var request = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{method} {target} HTTP/1.1\r\n")
            .Append(CultureInfo.InvariantCulture, $"Host: {host.Authority}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Authorization: Bearer {ServedApi.AliceKey}\r\n")
            .Append("If-Match: *\r\n")
            .Append(contentType is null ? "" : $"Content-Type: {contentType}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {bytes.Length}\r\n")
            .Append("Connection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()));
        await stream.WriteAsync(bytes);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = text[..split];
        return new RawAnswer(int.Parse(head.Split(' ')[1], CultureInfo.InvariantCulture), head, text[(split + 4)..]);
    }

    public static readonly TheoryData<string, string, string> PathIds = new()
    {
        { "GET", "/api/deadlines/..%2F..%2Fetc", "id" },
        { "GET", "/api/deadlines/%2e%2e%2f", "id" },
        { "GET", "/api/deadlines/%2E%2E%2Ftruce", "id" },
        { "PUT", "/api/deadlines/..%2Ftruce", "id" },
        { "DELETE", "/api/deadlines/%2F", "id" },
        { "POST", "/api/deadlines/..%2F/extend", "id" },
        { "POST", "/api/deadlines/a%2Fb/resolve", "id" },
        { "GET", "/api/subscribers/%2e%2e%2fdesk", "id" },
        { "PUT", "/api/subscribers/..%2F", "id" },
        { "DELETE", "/api/subscribers/%2F", "id" },
        { "POST", "/api/subscribers/desk/channels/..%2Fx/test", "channelId" },
        { "POST", "/api/subscribers/%2F/channels/webhook-0123456789/clear", "id" },
        { "POST", "/api/alerts/..%2F~x/resend", "ledgerKey" },
        { "POST", "/api/alerts/20250811-07~..%2Fx/resend", "ledgerKey" },
        { "GET", "/api/calendar/..%2Fdesk.ics?token=x", "subscriberId" },
        { "GET", "/api/deadlines/a%5Cb", "id" },
        { "GET", "/api/deadlines/%252F", "id" }, // a double-encoded slash arrives as %2F
    };

    [Theory]
    [MemberData(nameof(PathIds))]
    public async Task An_encoded_slash_or_dot_dot_in_an_id_is_a_400_naming_the_parameter_and_reads_nothing(string method, string target, string parameter)
    {
        await using var api = await ServedApi.StartAsync(Aug6);
        var requests = api.Installation.Get<StorageClients>().Requests;
        var before = requests.Count;

        var answer = await SendRawAsync(api.Host.BaseUri, method, target, "application/json", method is "PUT" or "POST" ? "{}" : null);

        Assert.True(answer.Status == 400, $"{method} {target}: {answer.Status} {answer.Body}");
        Assert.Contains("Content-Type: application/problem+json; charset=utf-8", answer.Head);
        Assert.Equal($"The URL's {parameter} is not valid; nothing was read or written.", answer.Json.GetProperty("detail").GetString());
        Assert.Equal([parameter], answer.Json.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()));
        Assert.Equal(before, requests.Count);
    }

    [Fact]
    public async Task A_bare_dot_dot_segment_is_removed_by_kestrel_and_is_a_404_never_a_500()
    {
        await using var api = await ServedApi.StartAsync(Aug6);
        foreach (var target in new[] { "/api/deadlines/%2e%2e", "/api/deadlines/..", "/api/subscribers/%2E%2E/channels/x/test" })
        {
            var answer = await SendRawAsync(api.Host.BaseUri, "GET", target);
            Assert.True(answer.Status is 404 or 405, $"{target}: {answer.Status} {answer.Body}");
        }
    }

    [Fact]
    public async Task Over_http_an_unknown_query_parameter_is_refused_by_name_and_a_text_plain_body_is_415()
    {
        await using var api = await ServedApi.StartAsync(Aug6);

        var query = await SendRawAsync(api.Host.BaseUri, "GET", "/api/subscribers/desk?expand=channels");
        Assert.Equal(400, query.Status);
        Assert.Equal("Unknown query parameter(s): expand.", query.Json.GetProperty("detail").GetString());

        var deadline = """{"id":"truce","title":"Truce","due":"2025-08-12T00:01","timeZone":"America/New_York"}""";
        foreach (var type in new[] { "text/plain", "application/x-www-form-urlencoded" })
        {
            var refused = await SendRawAsync(api.Host.BaseUri, "POST", "/api/deadlines", type, deadline);
            Assert.Equal(415, refused.Status);
            Assert.Equal("Unsupported media type", refused.Json.GetProperty("title").GetString());
        }
        Assert.Equal(404, (await api.Get("/api/deadlines/truce")).Status); // nothing was written
        Assert.Equal(201, (await SendRawAsync(api.Host.BaseUri, "POST", "/api/deadlines", "application/json; charset=utf-8", deadline)).Status);
    }
}

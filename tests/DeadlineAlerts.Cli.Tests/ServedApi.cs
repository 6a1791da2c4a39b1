using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.Cli.Serve;
using DeadlineAlerts.Testing;
using NodaTime;

namespace DeadlineAlerts.Cli.Tests;

/// <summary>
/// An installation on Azurite served by the <c>dla serve</c> host in-process on a free loopback port, with two
/// named operator keys (alice, bob), and an HTTP client per operator. Every answer is kept, so a test can
/// check at the end that no secret ever left the host.
/// </summary>
public sealed class ServedApi : IAsyncDisposable
{
    public const string AliceKey = "alice-key-0123456789";
    public const string BobKey = "bob-key-9876543210";

    public TestInstallation Installation { get; }
    public ApiHost Host { get; }
    public List<string> Answers { get; } = [];
    private readonly HttpClient _http = new();

    private ServedApi(TestInstallation installation, ApiHost host)
    {
        Installation = installation;
        Host = host;
    }

    /// <summary>A test signing key for subscriber links (32 bytes, base64).</summary>
    public static readonly string LinkKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    /// <param name="signedLinks">Sign unsubscribe and calendar links with <see cref="LinkKey"/> and point
    /// <c>PublicBaseUrl</c> at this host, so the links messages carry can be followed as a subscriber would.</param>
    public static async Task<ServedApi> StartAsync(Instant now, string? operatorKey = $"alice={AliceKey};bob={BobKey}", bool signedLinks = false)
    {
        var settings = new Dictionary<string, string?> { ["DeadlineAlerts:OperatorKey"] = operatorKey };
        var port = 0;
        if (signedLinks)
        {
            port = LoopbackReceiver.FreePort(); // the links name the host, so its port is chosen before it starts
            settings["DeadlineAlerts:UnsubscribeKey"] = LinkKey;
            settings["DeadlineAlerts:PublicBaseUrl"] = $"http://127.0.0.1:{port}";
        }
        var installation = await TestInstallation.CreateAsync(now, settings);
        var host = await ApiHost.StartAsync(installation.Get<ApiRouter>(), port);
        return new ServedApi(installation, host);
    }

    public sealed record Answer(HttpResponseMessage Response, string Body)
    {
        public int Status => (int)Response.StatusCode;
        public JsonNode Json => JsonNode.Parse(Body)!;
        public string? ETag => Response.Headers.ETag?.ToString();
        public string? Header(string name) =>
            Response.Headers.TryGetValues(name, out var v) || Response.Content.Headers.TryGetValues(name, out v) ? string.Join(", ", v) : null;
    }

    public async Task<Answer> SendAsync(string method, string path, object? body = null, string? key = AliceKey, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(Host.BaseUri, path.TrimStart('/')));
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (body is not null)
            request.Content = new StringContent(body as string ?? System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        return await SendAsync(request);
    }

    /// <summary>What a browser or mail client gets for a link this installation sent: no key, an optional form body.</summary>
    public async Task<Answer> Follow(string method, string url, string? form = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (form is not null) request.Content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");
        return await SendAsync(request);
    }

    private async Task<Answer> SendAsync(HttpRequestMessage request)
    {
        var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Answers.Add(text + "\n" + response.Headers + response.Content.Headers);
        return new Answer(response, text);
    }

    public Task<Answer> Get(string path, string? key = AliceKey) => SendAsync("GET", path, key: key);
    public Task<Answer> Post(string path, object body, string? key = AliceKey) => SendAsync("POST", path, body, key);
    public Task<Answer> Put(string path, object body, string? ifMatch, string? key = AliceKey) => SendAsync("PUT", path, body, key, ifMatch);
    public Task<Answer> Delete(string path, string? ifMatch, string? key = AliceKey) => SendAsync("DELETE", path, key: key, ifMatch: ifMatch);

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Host.DisposeAsync();
        await Installation.DisposeAsync();
    }
}

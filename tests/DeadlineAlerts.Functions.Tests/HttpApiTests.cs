using System.Net;
using System.Text.Json.Nodes;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.Functions.Functions.Api;
using DeadlineAlerts.Functions.Http;
using DeadlineAlerts.Functions.Tests.Support;
using DeadlineAlerts.Testing;
using Microsoft.Azure.Functions.Worker;
using NodaTime;

namespace DeadlineAlerts.Functions.Tests;

/// <summary>The HTTP functions, invoked directly: they hand every request to the router the serve host uses.</summary>
public sealed class HttpApiTests
{
    private const string Base = "https://func-test.azurewebsites.net";
    private static readonly Instant Now = Instant.FromUtc(2025, 7, 29, 8, 0);

    private static Task<TestInstallation> Installation(string? operatorKey = "alice=alice-key") =>
        TestInstallation.CreateAsync(Now, new Dictionary<string, string?> { ["DeadlineAlerts:OperatorKey"] = operatorKey });

    private static TestHttpResponse Answer(object response) => Assert.IsType<TestHttpResponse>(response);

    private static string? Header(TestHttpResponse r, string name) => r.Headers.TryGetValues(name, out var v) ? string.Join(", ", v) : null;

    [Fact]
    public async Task A_function_key_call_creates_and_reads_a_deadline_and_is_audited_as_function_key()
    {
        await using var t = await Installation(operatorKey: null);
        var api = new OperatorApi(t.Get<ApiRouter>());
        var body = """{"id":"truce","title":"Truce","due":"2025-08-12T00:01","timeZone":"America/New_York","category":"tariff"}""";

        var created = Answer(await api.Deadlines(new TestHttpRequest("POST", new Uri($"{Base}/api/deadlines?code=fn-key"), t.Services, body), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"{Base}/api/deadlines/truce", Header(created, "Location"));
        Assert.StartsWith("application/json", Header(created, "Content-Type"));

        var read = Answer(await api.Deadlines(new TestHttpRequest("GET", new Uri($"{Base}/api/deadlines/truce?code=fn-key"), t.Services), CancellationToken.None));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(Header(created, "ETag"), Header(read, "ETag"));
        Assert.Equal("Truce", (string?)JsonNode.Parse(read.BodyText)!["title"]);

        var head = Answer(await api.Deadlines(new TestHttpRequest("HEAD", new Uri($"{Base}/api/deadlines/truce"), t.Services), CancellationToken.None));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("", head.BodyText);

        var audit = Answer(await api.Audit(new TestHttpRequest("GET", new Uri($"{Base}/api/audit?deadline=truce&code=fn-key"), t.Services), CancellationToken.None));
        Assert.Equal("function-key", (string?)JsonNode.Parse(audit.BodyText)!["entries"]![0]!["actor"]);
    }

    /// <summary>The Functions host hands the router the URL's path still encoded; the router's checks answer as on dla serve.</summary>
    [Fact]
    public async Task Through_the_functions_trigger_an_encoded_slash_is_400_an_unknown_parameter_400_and_a_text_body_415()
    {
        await using var t = await Installation(operatorKey: null);
        var api = new OperatorApi(t.Get<ApiRouter>());
        foreach (var (method, path, field) in new[] { ("GET", "deadlines/..%2F..%2Fx", "id"), ("DELETE", "deadlines/a%2Fb", "id"), ("POST", "subscribers/desk/channels/..%2Fx/test", "channelId") })
        {
            var request = new TestHttpRequest(method, new Uri($"{Base}/api/{path}?code=fn-key"), t.Services);
            var refused = Answer(await (path.StartsWith("deadlines", StringComparison.Ordinal) ? api.Deadlines(request, CancellationToken.None) : api.Subscribers(request, CancellationToken.None)));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal(field, (string?)JsonNode.Parse(refused.BodyText)!["errors"]![0]!["field"]);
        }
        var query = Answer(await api.Deadlines(new TestHttpRequest("GET", new Uri($"{Base}/api/deadlines/truce?code=fn-key&expand=1"), t.Services), CancellationToken.None));
        Assert.Equal(HttpStatusCode.BadRequest, query.StatusCode);
        Assert.Equal("expand", (string?)JsonNode.Parse(query.BodyText)!["errors"]![0]!["field"]);
        var body = """{"id":"truce","title":"Truce","due":"2025-08-12T00:01","timeZone":"America/New_York"}""";
        var text = Answer(await api.Deadlines(new TestHttpRequest("POST", new Uri($"{Base}/api/deadlines?code=fn-key"), t.Services, body,
            new Dictionary<string, string> { ["Content-Type"] = "text/plain" }), CancellationToken.None));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
    }

    [Fact]
    public async Task An_operator_key_sent_through_a_function_key_route_must_still_be_valid()
    {
        await using var t = await Installation();
        var api = new OperatorApi(t.Get<ApiRouter>());
        var wrong = Answer(await api.Subscribers(new TestHttpRequest("GET", new Uri($"{Base}/api/subscribers"), t.Services, headers: new Dictionary<string, string> { ["X-Operator-Key"] = "nope" }), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.StartsWith("application/problem+json", Header(wrong, "Content-Type"));
        var right = Answer(await api.Subscribers(new TestHttpRequest("GET", new Uri($"{Base}/api/subscribers"), t.Services, headers: new Dictionary<string, string> { ["X-Operator-Key"] = "alice-key" }), CancellationToken.None));
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Fact]
    public async Task Public_routes_do_not_count_as_host_authenticated()
    {
        await using var t = await Installation();
        var http = new TestHttpRequest("GET", new Uri($"{Base}/api/unsubscribe?token=abc%2Bdef"), t.Services);
        var adapterRequest = await FunctionsHttp.ToApiRequestAsync(http, FunctionsHttp.RoutePath(http, "unsubscribe"), hostAuthenticated: false, CancellationToken.None);
        Assert.False(adapterRequest.HostAuthenticated);
        Assert.Equal("/api/unsubscribe", adapterRequest.Path);
        Assert.Equal("abc+def", adapterRequest.QueryValue("token"));
        Assert.Equal(new Uri(Base + "/"), adapterRequest.BaseUri);
    }

    [Theory]
    [InlineData("True", "ana@contoso.example")]
    [InlineData(null, "function-key")] // authentication off: anyone could send the header, so it names nobody
    public async Task The_entra_user_app_service_signed_in_is_the_audit_actor_only_while_its_authentication_is_on(string? authEnabled, string actor)
    {
        await using var t = await TestInstallation.CreateAsync(Now, new Dictionary<string, string?>
        {
            ["DeadlineAlerts:OperatorKey"] = null,
            ["WEBSITE_AUTH_ENABLED"] = authEnabled,
        });
        var api = new OperatorApi(t.Get<ApiRouter>());
        var body = """{"id":"truce","title":"Truce","due":"2025-08-12T00:01","timeZone":"America/New_York"}""";
        var headers = new Dictionary<string, string> { ["X-MS-CLIENT-PRINCIPAL-NAME"] = "ana@contoso.example" };
        var created = Answer(await api.Deadlines(new TestHttpRequest("POST", new Uri($"{Base}/api/deadlines?code=fn-key"), t.Services, body, headers), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var audit = Answer(await api.Audit(new TestHttpRequest("GET", new Uri($"{Base}/api/audit?deadline=truce&code=fn-key"), t.Services), CancellationToken.None));
        Assert.Equal(actor, (string?)JsonNode.Parse(audit.BodyText)!["entries"]![0]!["actor"]);
    }

    [Fact]
    public void Operator_triggers_require_a_function_key_and_public_ones_do_not()
    {
        static HttpTriggerAttribute Trigger(Type type, string method) =>
            (HttpTriggerAttribute)type.GetMethod(method)!.GetParameters()[0].GetCustomAttributes(typeof(HttpTriggerAttribute), false).Single();
        Assert.All(new[] { "Deadlines", "Subscribers", "Audit" }, m => Assert.Equal(AuthorizationLevel.Function, Trigger(typeof(OperatorApi), m).AuthLevel));
        Assert.All(new[] { "Unsubscribe", "Calendar" }, m => Assert.Equal(AuthorizationLevel.Anonymous, Trigger(typeof(PublicApi), m).AuthLevel));
        Assert.Equal("deadlines/{*rest}", Trigger(typeof(OperatorApi), "Deadlines").Route);
        Assert.Equal("calendar/{*rest}", Trigger(typeof(PublicApi), "Calendar").Route);
        Assert.All(new[] { "Session", "Zones", "Schedule" }, m => Assert.Equal(AuthorizationLevel.Function, Trigger(typeof(ConsoleApi), m).AuthLevel));
        Assert.Equal(AuthorizationLevel.Anonymous, Trigger(typeof(ConsoleApi), "Page").AuthLevel); // files only; the data needs the key
        Assert.Equal("console/{*path}", Trigger(typeof(ConsoleApi), "Page").Route);
    }

    [Fact]
    public async Task The_console_page_in_azure_sends_the_function_key_and_its_folder_path_redirects_to_the_folder()
    {
        await using var t = await Installation();
        var api = new ConsoleApi(t.Get<ApiRouter>());
        var page = Answer(await api.Page(new TestHttpRequest("GET", new Uri($"{Base}/api/console/"), t.Services), CancellationToken.None));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<meta name=\"dla-key-header\" content=\"x-functions-key\">", page.BodyText);
        Assert.StartsWith("default-src 'self'", Header(page, "Content-Security-Policy"));
        var folder = Answer(await api.Page(new TestHttpRequest("GET", new Uri($"{Base}/api/console"), t.Services), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Found, folder.StatusCode);
        Assert.Equal("/api/console/", Header(folder, "Location"));

        var session = Answer(await api.Session(new TestHttpRequest("GET", new Uri($"{Base}/api/session?code=fn-key"), t.Services), CancellationToken.None));
        Assert.Equal("function-key", (string?)JsonNode.Parse(session.BodyText)!["operator"]);
    }
}

using System.Text;
using System.Text.Json;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.Links;
using DeadlineAlerts.Storage;
using DeadlineAlerts.Testing;
using NodaTime;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.App.Tests;

/// <summary>
/// What the router refuses before any handler runs, on every route it has: ids in the URL that break the id rule
/// (an encoded slash or dot-dot), query parameters a route does not take, and bodies of another media type. Each
/// is a problem body that names the parameter, and none of them costs a storage request.
/// </summary>
public sealed class ApiRequestRulesTests
{
    private static readonly Instant Aug6 = Instant.FromUtc(2025, 8, 6, 12, 0);

    /// <summary>What each placeholder holds when a test does not aim at it: valid ids of the right shape.</summary>
    private static readonly Dictionary<string, string> ValidIds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["id"] = "truce",
        ["subscriberId"] = "desk",
        ["channelId"] = "webhook-0123456789",
        ["ledgerKey"] = "20250811-07~00638900000000000000_al_0123_webhook-0123456789",
    };

    /// <summary>Raw URL text an attacker puts in one segment; each decodes to something that is not an id.</summary>
    public static readonly TheoryData<string> HostileIds = new() { "..%2F..%2Fetc", "%2e%2e%2f", "%2F", "a%2Fb", "..", "%2e%2e", "a%5Cb", "a%23b", "a%3Fb", "%00", "a%20b" };

    private static Task<TestInstallation> InstallAsync() =>
        TestInstallation.CreateAsync(Aug6, SubscriberLinksSetup.Settings(("DeadlineAlerts:OperatorKey", "alice=key-1")));

    private static ApiRequest Call(string method, string path, Dictionary<string, string>? query = null, string? contentType = "application/json", string? body = "{}") => new()
    {
        Method = method,
        Path = path,
        Query = query ?? [],
        Headers = contentType is null
            ? new Dictionary<string, string> { ["X-Operator-Key"] = "key-1" }
            : new Dictionary<string, string> { ["X-Operator-Key"] = "key-1", ["Content-Type"] = contentType },
        Body = body is null ? default : Encoding.UTF8.GetBytes(body),
    };

    /// <summary>The route's template with every placeholder filled: <paramref name="aim"/> gets <paramref name="raw"/>.</summary>
    private static string PathOf(ApiRoute route, string? aim = null, string? raw = null) =>
        "/" + string.Join('/', route.Template.Trim('/').Split('/').Select(segment =>
        {
            if (!segment.StartsWith('{')) return segment;
            var close = segment.IndexOf('}');
            var name = segment[1..close];
            return (name == aim ? raw! : ValidIds[name]) + segment[(close + 1)..];
        }));

    private static IEnumerable<(ApiRoute Route, string Name)> Placeholders(ApiRouter router) =>
        router.Routes.SelectMany(r => r.Template.Split('/').Where(s => s.StartsWith('{')).Select(s => (r, s[1..s.IndexOf('}')])));

    private static JsonElement Json(ApiResponse r) => JsonDocument.Parse(r.BodyText).RootElement;

    private static List<string> Fields(ApiResponse r) =>
        Json(r).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()!).ToList();

    [Theory]
    [MemberData(nameof(HostileIds))]
    public async Task An_id_in_the_url_that_is_not_an_id_is_a_400_naming_the_parameter_on_every_route_and_never_reaches_storage(string raw)
    {
        await using var t = await InstallAsync();
        var router = t.Get<ApiRouter>();
        var requests = t.Get<StorageClients>().Requests;
        var placeholders = Placeholders(router).ToList();
        // Every route with an id is covered: records, milestones, channels, ledger rows, the calendar feed.
        Assert.Equal(
            ["DELETE /api/deadlines/{id} id", "DELETE /api/subscribers/{id} id", "DELETE /api/subscribers/{id}/pause id", "GET /api/calendar/{subscriberId}.ics subscriberId",
             "GET /api/deadlines/{id} id", "GET /api/subscribers/{id} id", "POST /api/alerts/{ledgerKey}/resend ledgerKey",
             "POST /api/deadlines/{id}/cancel id", "POST /api/deadlines/{id}/extend id", "POST /api/deadlines/{id}/resolve id",
             "POST /api/subscribers/{id}/acknowledge id",
             "POST /api/subscribers/{id}/channels/{channelId}/clear channelId", "POST /api/subscribers/{id}/channels/{channelId}/clear id",
             "POST /api/subscribers/{id}/channels/{channelId}/test channelId", "POST /api/subscribers/{id}/channels/{channelId}/test id",
             "POST /api/subscribers/{id}/pause id", "PUT /api/deadlines/{id} id", "PUT /api/subscribers/{id} id"],
            placeholders.Select(p => $"{p.Route.Method} {p.Route.Template} {p.Name}").Order(StringComparer.Ordinal));

        foreach (var (route, name) in placeholders)
        {
            var before = requests.Count;
            var path = PathOf(route, name, raw);
            var answer = await router.HandleAsync(Call(route.Method, path));
            Assert.True(answer.Status == 400, $"{route.Method} {path}: {answer.Status} {answer.BodyText}");
            Assert.Equal("application/problem+json; charset=utf-8", answer.ContentType);
            Assert.Equal([name], Fields(answer));
            Assert.Equal($"The URL's {name} is not valid; nothing was read or written.", Json(answer).GetProperty("detail").GetString());
            Assert.Equal(before, requests.Count);
        }
    }

    [Fact]
    public async Task A_valid_id_still_reaches_the_handler_and_a_ledger_key_is_checked_by_its_own_shape()
    {
        await using var t = await InstallAsync();
        var router = t.Get<ApiRouter>();
        Assert.Equal(404, (await router.HandleAsync(Call("GET", "/api/deadlines/truce"))).Status);
        Assert.Equal(404, (await router.HandleAsync(Call("POST", "/api/alerts/" + ValidIds["ledgerKey"] + "/resend"))).Status);
        var noTilde = await router.HandleAsync(Call("POST", "/api/alerts/20250811-07/resend"));
        Assert.Equal(400, noTilde.Status);
        var error = Json(noTilde).GetProperty("errors")[0];
        Assert.Equal("ledgerKey", error.GetProperty("field").GetString());
        Assert.StartsWith("is not a ledger key; use the ledgerKey of a row from GET /api/alerts", error.GetProperty("problem").GetString());
        var tooLong = await router.HandleAsync(Call("GET", "/api/deadlines/" + new string('a', 101)));
        Assert.Equal("is 101 characters long; at most 100 are accepted", Json(tooLong).GetProperty("errors")[0].GetProperty("problem").GetString());
    }

    [Fact]
    public async Task Every_route_refuses_a_query_parameter_it_does_not_take_by_name()
    {
        await using var t = await InstallAsync();
        var router = t.Get<ApiRouter>();
        var requests = t.Get<StorageClients>().Requests;
        foreach (var route in router.Routes)
        {
            var before = requests.Count;
            var answer = await router.HandleAsync(Call(route.Method, PathOf(route), new Dictionary<string, string> { ["verbose"] = "1" }));
            Assert.True(answer.Status == 400, $"{route.Method} {route.Template}: {answer.Status} {answer.BodyText}");
            Assert.Equal(["verbose"], Fields(answer));
            Assert.Equal("Unknown query parameter(s): verbose.", Json(answer).GetProperty("detail").GetString());
            Assert.Equal(before, requests.Count);
        }
        // The read routes that took anything before did so silently; now they name what they take.
        var get = await router.HandleAsync(Call("GET", "/api/deadlines/truce", new Dictionary<string, string> { ["token"] = "x" }));
        Assert.Equal("is not accepted: this route takes no query parameters", Json(get).GetProperty("errors")[0].GetProperty("problem").GetString());
        var list = await router.HandleAsync(Call("GET", "/api/deadlines", new Dictionary<string, string> { ["categroy"] = "tariff" }));
        Assert.Equal("is not a parameter of this route; use category, status, dueBefore, dueAfter", Json(list).GetProperty("errors")[0].GetProperty("problem").GetString());
        // The Functions host's key parameter is its own business, taken everywhere; a route's own parameters work.
        Assert.Equal(404, (await router.HandleAsync(Call("GET", "/api/subscribers/desk", new Dictionary<string, string> { ["code"] = "k" }))).Status);
        Assert.Equal(200, (await router.HandleAsync(Call("GET", "/api/deadlines", new Dictionary<string, string> { ["category"] = "tariff" }))).Status);
    }

    [Fact]
    public async Task The_routes_that_read_a_body_are_declared_so_and_answer_415_to_any_other_media_type()
    {
        await using var t = await InstallAsync();
        var router = t.Get<ApiRouter>();
        var requests = t.Get<StorageClients>().Requests;
        Assert.Equal(
            ["POST /api/deadlines", "POST /api/deadlines/{id}/cancel", "POST /api/deadlines/{id}/extend", "POST /api/deadlines/{id}/resolve",
             "POST /api/subscribers", "POST /api/subscribers/{id}/acknowledge", "POST /api/subscribers/{id}/pause", "PUT /api/deadlines/{id}", "PUT /api/subscribers/{id}"],
            router.Routes.Where(r => r.Body == ApiBody.Json).Select(r => $"{r.Method} {r.Template}").Order(StringComparer.Ordinal));
        Assert.Equal(["POST /api/acknowledge", "POST /api/unsubscribe"],
            router.Routes.Where(r => r.Body == ApiBody.Form).Select(r => $"{r.Method} {r.Template}").Order(StringComparer.Ordinal));

        var body = JsonSerializer.Serialize(Deadline("truce", "2025-08-12T00:01"));
        foreach (var route in router.Routes.Where(r => r.Body == ApiBody.Json))
            foreach (var type in new[] { "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", null, "application/json; charset=iso-8859-1", "json" })
            {
                var before = requests.Count;
                var answer = await router.HandleAsync(Call(route.Method, PathOf(route), contentType: type, body: body));
                Assert.True(answer.Status == 415, $"{route.Method} {route.Template} as {type}: {answer.Status} {answer.BodyText}");
                Assert.Equal("Unsupported media type", Json(answer).GetProperty("title").GetString());
                Assert.Equal(["Content-Type"], Fields(answer));
                Assert.Equal(before, requests.Count);
            }
        var plain = await router.HandleAsync(Call("POST", "/api/deadlines", contentType: "text/plain", body: body));
        Assert.Equal("This route reads a JSON body; send it with Content-Type: application/json (the body came as text/plain).", Json(plain).GetProperty("detail").GetString());

        // JSON and +json types, with a UTF-8 charset or none, are read; an empty body is not checked.
        Assert.Equal(201, (await router.HandleAsync(Call("POST", "/api/deadlines", contentType: "application/json; charset=UTF-8", body: body))).Status);
        Assert.Equal(201, (await router.HandleAsync(Call("POST", "/api/deadlines", contentType: "Application/Vnd.Example+JSON",
            body: JsonSerializer.Serialize(Deadline("steel", "2025-09-01T12:00"))))).Status);
        Assert.Equal(200, (await router.HandleAsync(Call("POST", "/api/deadlines/steel/resolve", contentType: "application/x-www-form-urlencoded", body: null))).Status);
        // A route that reads no body ignores one.
        Assert.Equal(404, (await router.HandleAsync(Call("POST", "/api/alerts/" + ValidIds["ledgerKey"] + "/resend", contentType: "text/plain", body: "x"))).Status);
    }

    [Fact]
    public async Task The_unsubscribe_button_posts_a_form_and_any_other_body_is_415()
    {
        await using var t = await InstallAsync();
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01")], [Subscriber("desk", "https://hooks.example.org/x")]));
        var url = t.Get<SubscriberLinks>().UnsubscribeUrl("desk", null)!;
        var json = SubscriberLinksSetup.Request("POST", url, "{}");
        var refused = await t.Get<ApiRouter>().HandleAsync(new ApiRequest
        {
            Method = json.Method,
            Path = json.Path,
            Query = json.Query,
            Headers = new Dictionary<string, string> { ["Content-Type"] = "application/json" },
            Body = json.Body,
        });
        Assert.Equal(415, refused.Status);
        Assert.Equal("This route reads a form; send it as application/x-www-form-urlencoded (the body came as application/json).", Json(refused).GetProperty("detail").GetString());
        var done = await t.SendAsync("POST", url, "List-Unsubscribe=One-Click");
        Assert.Equal(200, done.Status);
        Assert.Contains("Done: you will not get these messages any more.", done.BodyText);
    }

    [Fact]
    public async Task The_token_pages_are_not_cached_not_referred_onwards_and_load_nothing()
    {
        await using var t = await InstallAsync();
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01")], [Subscriber("desk", "https://hooks.example.org/x")]));
        var links = t.Get<SubscriberLinks>();
        var unsubscribe = links.UnsubscribeUrl("desk", null)!;
        var calendar = links.CalendarUrl("desk")!;
        var answers = new (string What, ApiResponse Answer)[]
        {
            ("unsubscribe page", await t.SendAsync("GET", unsubscribe)),
            ("unsubscribe refused", await t.SendAsync("GET", unsubscribe + "x")),
            ("calendar feed", await t.SendAsync("GET", calendar)),
            ("calendar refused", await t.SendAsync("GET", calendar + "x")),
            ("unsubscribed", await t.SendAsync("POST", unsubscribe, "List-Unsubscribe=One-Click")),
            ("calendar ended", await t.SendAsync("GET", calendar)),
        };
        Assert.Equal([200, 400, 200, 400, 200, 404], answers.Select(a => a.Answer.Status));
        foreach (var (what, answer) in answers)
        {
            Assert.True(answer.Headers.TryGetValue("Cache-Control", out var cache) && cache.Contains("no-store"), what);
            Assert.Equal("no-referrer", answer.Headers["Referrer-Policy"]);
            Assert.Equal("nosniff", answer.Headers["X-Content-Type-Options"]);
            Assert.StartsWith("default-src 'none'", answer.Headers["Content-Security-Policy"]);
        }
    }
}

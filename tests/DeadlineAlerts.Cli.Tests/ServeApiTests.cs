using System.Text.Json.Nodes;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Testing;
using NodaTime;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.Cli.Tests;

/// <summary>The operator HTTP API as a client sees it: real HTTP to the dla serve host, Azurite behind it.</summary>
public sealed class ServeApiTests
{
    private static readonly Instant Now = Instant.FromUtc(2025, 7, 29, 8, 0);
    private const string HookToken = "tok-DO-NOT-SHOW-4711";

    private static object Truce(string title = "US-China tariff truce expires", string due = "2025-08-12T00:01") =>
        new { id = "truce", title, due, timeZone = "America/New_York", category = "tariff", leadTimes = new[] { "P7D", "PT0S" } };

    [Fact]
    public async Task Operator_routes_refuse_a_missing_or_wrong_key_with_401()
    {
        await using var api = await ServedApi.StartAsync(Now);
        var none = await api.Get("/api/deadlines", key: null);
        var wrong = await api.Get("/api/deadlines", key: "not-a-key");
        var audit = await api.Get("/api/audit", key: "not-a-key");
        Assert.All(new[] { none, wrong, audit }, a =>
        {
            Assert.Equal(401, a.Status);
            Assert.StartsWith("application/problem+json", a.Response.Content.Headers.ContentType!.ToString());
            Assert.Equal(401, (int)a.Json["status"]!);
        });
        Assert.NotNull(none.Response.Headers.WwwAuthenticate.SingleOrDefault());
        Assert.Equal(200, (await api.Get("/api/deadlines", key: ServedApi.BobKey)).Status);
    }

    [Fact]
    public async Task Every_answer_says_nosniff_success_problem_and_outside_the_api_alike()
    {
        await using var api = await ServedApi.StartAsync(Now);
        var answers = new[]
        {
            (await api.Get("/api/deadlines")).Response,
            (await api.Get("/api/deadlines", key: null)).Response,
            (await api.Get("/api/deadlines/missing")).Response,
            (await api.Get("/api/no-such-route")).Response,
        };
        using var http = new HttpClient();
        using var outside = await http.GetAsync(new Uri(api.Host.BaseUri, "favicon.ico"));
        Assert.All(answers.Append(outside), r => Assert.Equal(["nosniff"], r.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task The_console_is_served_at_console_and_the_root_redirects_there_with_a_strict_policy()
    {
        await using var api = await ServedApi.StartAsync(Now);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        foreach (var path in new[] { "", "console" })
        {
            using var redirect = await http.GetAsync(new Uri(api.Host.BaseUri, path));
            Assert.Equal(302, (int)redirect.StatusCode);
            Assert.Equal("/console/", redirect.Headers.Location!.ToString());
        }
        using var page = await http.GetAsync(api.Host.ConsoleUri);
        Assert.Equal(200, (int)page.StatusCode);
        Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType!.ToString());
        var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.StartsWith("default-src 'self'; script-src 'self';", csp);
        Assert.Equal(["nosniff"], page.Headers.GetValues("X-Content-Type-Options"));
        Assert.Contains("<label for=\"operator-key\">Operator key</label>", await page.Content.ReadAsStringAsync());
        using var script = await http.GetAsync(new Uri(api.Host.ConsoleUri, "console.js"));
        Assert.Equal("text/javascript; charset=utf-8", script.Content.Headers.ContentType!.ToString());
        using var missing = await http.GetAsync(new Uri(api.Host.ConsoleUri, "secrets.json"));
        Assert.Equal(404, (int)missing.StatusCode);
    }

    [Fact]
    public async Task A_client_principal_header_sent_to_dla_serve_names_nobody_in_the_audit_log()
    {
        await using var api = await ServedApi.StartAsync(Now);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api.Host.BaseUri, "api/deadlines"))
        {
            Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(Truce()), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Operator-Key", ServedApi.AliceKey);
        request.Headers.Add("X-MS-CLIENT-PRINCIPAL-NAME", "mallory@contoso.example");
        using var created = await http.SendAsync(request);
        Assert.Equal(201, (int)created.StatusCode);
        var audit = (await api.Get("/api/audit?deadline=truce")).Json["entries"]!.AsArray();
        Assert.Equal("alice", (string?)Assert.Single(audit)!["actor"]);
    }

    [Fact]
    public async Task Without_a_configured_operator_key_every_operator_route_is_closed()
    {
        await using var api = await ServedApi.StartAsync(Now, operatorKey: null);
        var a = await api.Get("/api/deadlines", key: "anything");
        Assert.Equal(401, a.Status);
        Assert.Contains("DeadlineAlerts__OperatorKey", a.Body);
    }

    [Fact]
    public async Task A_deadline_is_created_read_listed_and_deleted()
    {
        await using var api = await ServedApi.StartAsync(Now);
        var created = await api.Post("/api/deadlines", Truce());
        Assert.Equal(201, created.Status);
        Assert.Equal(new Uri(api.Host.BaseUri, "api/deadlines/truce"), created.Response.Headers.Location);
        Assert.NotNull(created.ETag);
        Assert.False(created.Response.Headers.ETag!.IsWeak);
        Assert.Equal("2025-08-12T00:01:00", (string?)created.Json["due"]);
        Assert.Equal("active", (string?)created.Json["status"]);

        var read = await api.Get("/api/deadlines/truce");
        Assert.Equal(200, read.Status);
        Assert.Equal(created.ETag, read.ETag);
        Assert.Equal("US-China tariff truce expires", (string?)read.Json["title"]);

        var head = await api.SendAsync("HEAD", "/api/deadlines/truce");
        Assert.Equal(200, head.Status);
        Assert.Equal(created.ETag, head.ETag);
        Assert.Equal("", head.Body);

        var list = await api.Get("/api/deadlines");
        Assert.Equal(["truce"], list.Json["deadlines"]!.AsArray().Select(d => (string?)d!["id"]));

        var deleted = await api.Delete("/api/deadlines/truce", read.ETag);
        Assert.Equal(204, deleted.Status);
        Assert.Equal(404, (await api.Get("/api/deadlines/truce")).Status);
        Assert.Empty(await api.Installation.Get<RecordStore>().ListDeadlinesAsync());
    }

    [Fact]
    public async Task Reads_say_how_long_is_left_and_a_past_undecided_deadline_is_overdue_and_can_be_sent_back()
    {
        await using var api = await ServedApi.StartAsync(Now);
        await api.Post("/api/deadlines", Truce());

        var before = await api.Get("/api/deadlines/truce");
        Assert.Equal("13 days, 20 hours left", (string?)before.Json["standing"]);
        Assert.Equal("2025-08-12T04:01:00Z", (string?)before.Json["dueInstant"]);
        Assert.False((bool)before.Json["overdue"]!);

        api.Installation.Clock.Reset(Instant.FromUtc(2025, 8, 14, 6, 1));
        var after = (await api.Get("/api/deadlines")).Json["deadlines"]![0]!;
        Assert.Equal("overdue by 2 days, 2 hours", (string?)after["standing"]);
        Assert.True((bool)after["overdue"]!);

        // The read-only facts do not stop an operator from editing the answer and sending it back.
        var edited = before.Json.AsObject();
        edited["notes"] = "Watch for an extension";
        Assert.Equal(200, (await api.Put("/api/deadlines/truce", edited.ToJsonString(), before.ETag)).Status);
    }

    [Fact]
    public async Task List_filters_by_category_status_and_due_window_and_refuses_a_bad_filter()
    {
        await using var api = await ServedApi.StartAsync(Now);
        await api.Installation.ImportAsync(File([
            Deadline("aug", "2025-08-12T00:01"), Deadline("nov", "2025-11-10T00:01"),
            Deadline("ai-act", "2025-08-02T00:00", zone: "Europe/Brussels", category: "regulation")], []));

        async Task<string[]> Ids(string query) =>
            (await api.Get("/api/deadlines?" + query)).Json["deadlines"]!.AsArray().Select(d => (string)d!["id"]!).ToArray();
        Assert.Equal(["aug", "nov"], await Ids("category=tariff"));
        Assert.Equal(["ai-act", "aug"], await Ids("dueBefore=2025-09-01T00:00:00Z"));
        Assert.Equal(["nov"], await Ids("dueAfter=2025-09-01T00:00:00Z&status=active"));
        Assert.Empty(await Ids("status=resolved"));

        var bad = await api.Get("/api/deadlines?dueBefore=next-week&status=open&colour=red");
        Assert.Equal(400, bad.Status);
        var fields = bad.Json["errors"]!.AsArray().Select(e => (string)e!["field"]!).ToList();
        Assert.Equal(["colour"], fields); // unknown parameters are named first, before values are read
        bad = await api.Get("/api/deadlines?dueBefore=next-week");
        Assert.Equal("dueBefore", (string?)bad.Json["errors"]![0]!["field"]);
        Assert.Equal("next-week", (string?)bad.Json["errors"]![0]!["value"]);
        Assert.Contains("2025-08-12T04:01:00Z", (string?)bad.Json["errors"]![0]!["problem"]);
        Assert.Equal(400, (await api.Get("/api/deadlines?status=open")).Status);
    }

    [Fact]
    public async Task An_invalid_deadline_gets_400_naming_every_field_and_nothing_is_stored()
    {
        await using var api = await ServedApi.StartAsync(Now);
        var bad = await api.Post("/api/deadlines",
            new { id = "bad-zone", title = "", due = "2025-08-12T00:01", timeZone = "Eastern Standard Time", leadTimes = new[] { "-P1D" }, colour = "red" });
        Assert.Equal(400, bad.Status);
        Assert.StartsWith("application/problem+json", bad.Response.Content.Headers.ContentType!.ToString());
        var errors = bad.Json["errors"]!.AsArray().ToDictionary(e => (string)e!["field"]!, e => e!);
        Assert.Equal(["colour", "title", "timeZone", "leadTimes"], errors.Keys.ToArray());
        Assert.Equal("Eastern Standard Time", (string?)errors["timeZone"]["value"]);
        Assert.Contains("use the IANA id America/New_York", (string?)errors["timeZone"]["problem"]);
        Assert.Equal("-P1D", (string?)errors["leadTimes"]["value"]);
        Assert.Contains("bad-zone", (string?)bad.Json["detail"]);

        Assert.Equal(400, (await api.Post("/api/deadlines", "[1, 2]")).Status);
        Assert.Equal(400, (await api.Post("/api/deadlines", "{ not json")).Status);
        Assert.Empty(await api.Installation.Get<RecordStore>().ListDeadlinesAsync());
        Assert.Empty((await api.Get("/api/audit")).Json["entries"]!.AsArray());
    }

    [Fact]
    public async Task Posting_an_existing_id_is_409_and_changes_nothing()
    {
        await using var api = await ServedApi.StartAsync(Now);
        await api.Post("/api/deadlines", Truce());
        var again = await api.Post("/api/deadlines", Truce(title: "Overwritten?"));
        Assert.Equal(409, again.Status);
        Assert.Contains("If-Match", (string?)again.Json["detail"]);
        Assert.Equal("US-China tariff truce expires", (string?)(await api.Get("/api/deadlines/truce")).Json["title"]);
    }

    [Fact]
    public async Task Unknown_ids_are_404_unknown_paths_404_and_other_methods_405()
    {
        await using var api = await ServedApi.StartAsync(Now);
        Assert.Equal(404, (await api.Get("/api/deadlines/nope")).Status);
        Assert.Equal(404, (await api.Put("/api/deadlines/nope", Truce(), "\"x\"")).Status);
        Assert.Equal(404, (await api.Delete("/api/deadlines/nope", "\"x\"")).Status);
        Assert.Equal(404, (await api.Get("/api/subscribers/nope")).Status);
        Assert.Equal(404, (await api.Get("/api/nothing-here")).Status);
        var patch = await api.SendAsync("PATCH", "/api/deadlines/truce", new { title = "x" });
        Assert.Equal(405, patch.Status);
        Assert.Equal(["DELETE", "GET", "PUT"], patch.Response.Content.Headers.Allow.Order().ToArray());
    }

    [Fact]
    public async Task Put_and_delete_without_If_Match_are_428_and_change_nothing()
    {
        await using var api = await ServedApi.StartAsync(Now);
        await api.Post("/api/deadlines", Truce());
        var put = await api.Put("/api/deadlines/truce", Truce(title: "Changed"), ifMatch: null);
        Assert.Equal(428, put.Status);
        Assert.Contains("If-Match", (string?)put.Json["detail"]);
        Assert.Equal(428, (await api.Delete("/api/deadlines/truce", ifMatch: null)).Status);
        Assert.Equal("US-China tariff truce expires", (string?)(await api.Get("/api/deadlines/truce")).Json["title"]);
    }

    [Fact]
    public async Task Two_operators_editing_one_deadline_the_second_gets_412_with_the_current_record()
    {
        await using var api = await ServedApi.StartAsync(Now);
        await api.Post("/api/deadlines", Truce());
        var alicesCopy = await api.Get("/api/deadlines/truce", ServedApi.AliceKey);
        var bobsCopy = await api.Get("/api/deadlines/truce", ServedApi.BobKey);

        var alice = await api.Put("/api/deadlines/truce", Truce(title: "Truce expires (Alice)"), alicesCopy.ETag, ServedApi.AliceKey);
        Assert.Equal(200, alice.Status);
        Assert.NotEqual(alicesCopy.ETag, alice.ETag);

        var bob = await api.Put("/api/deadlines/truce", Truce(title: "Truce expires (Bob)"), bobsCopy.ETag, ServedApi.BobKey);
        Assert.Equal(412, bob.Status);
        Assert.Equal("Truce expires (Alice)", (string?)bob.Json["current"]!["title"]);
        Assert.Equal(alice.ETag, bob.ETag);
        Assert.Equal(412, (await api.Delete("/api/deadlines/truce", bobsCopy.ETag, ServedApi.BobKey)).Status);

        Assert.Equal("Truce expires (Alice)", (string?)(await api.Get("/api/deadlines/truce")).Json["title"]);
        var audit = (await api.Get("/api/audit?deadline=truce")).Json["entries"]!.AsArray();
        Assert.Equal(["updated", "created"], audit.Select(e => (string)e!["action"]!));
        Assert.All(audit, e => Assert.Equal("alice", (string?)e!["actor"]));
        Assert.Equal("title: 'US-China tariff truce expires' → 'Truce expires (Alice)'", (string?)audit[0]!["summary"]);
        Assert.Equal("Truce expires (Alice)", (string?)audit[0]!["after"]!["title"]);
        Assert.Equal("US-China tariff truce expires", (string?)audit[0]!["before"]!["title"]);
    }

    [Fact]
    public async Task Putting_an_unchanged_record_writes_nothing_and_keeps_the_ETag()
    {
        await using var api = await ServedApi.StartAsync(Now);
        var created = await api.Post("/api/deadlines", Truce());
        var same = await api.Put("/api/deadlines/truce", created.Body, created.ETag);
        Assert.Equal(200, same.Status);
        Assert.Equal(created.ETag, same.ETag);
        Assert.Single((await api.Get("/api/audit")).Json["entries"]!.AsArray());
    }

    [Fact]
    public async Task A_body_id_other_than_the_url_is_refused()
    {
        await using var api = await ServedApi.StartAsync(Now);
        var created = await api.Post("/api/deadlines", Truce());
        var put = await api.Put("/api/deadlines/truce", new { id = "other", title = "x", due = "2025-08-12T00:01", timeZone = "America/New_York" }, created.ETag);
        Assert.Equal(400, put.Status);
        Assert.Equal("id", (string?)put.Json["errors"]![0]!["field"]);
        Assert.Equal("other", (string?)put.Json["errors"]![0]!["value"]);
        Assert.Null(await api.Installation.Get<RecordStore>().GetDeadlineAsync("other"));
    }

    [Fact]
    public async Task Putting_a_new_due_time_rearms_alerts_for_it_and_the_old_ones_no_longer_apply()
    {
        await using var api = await ServedApi.StartAsync(Now);
        await api.Installation.ImportAsync(File([], [Subscriber("desk", "http://127.0.0.1:9/hook")]));
        var created = await api.Post("/api/deadlines", Truce());
        var scan = api.Installation.Get<ScanService>();
        async Task<string[]> FireTimes() =>
            (await scan.DueAsync(Now, Instant.FromUtc(2025, 12, 1, 0, 0))).Select(d => TimeText.Iso(d.Alert.FireAt)).Order().ToArray();
        Assert.Equal(["2025-08-05T04:01:00Z", "2025-08-12T04:01:00Z"], await FireTimes());

        var moved = await api.Put("/api/deadlines/truce", Truce(due: "2025-11-10T00:01"), created.ETag);
        Assert.Equal(200, moved.Status);
        Assert.Equal(["2025-11-03T05:01:00Z", "2025-11-10T05:01:00Z"], await FireTimes()); // EST after the change
        var summary = (string?)(await api.Get("/api/audit?deadline=truce")).Json["entries"]![0]!["summary"];
        Assert.Equal("due: '2025-08-12T00:01:00' → '2025-11-10T00:01:00'", summary);
    }

    [Fact]
    public async Task A_webhook_secret_is_shown_once_on_creation_and_a_subscriber_round_trips_with_redacted_channels()
    {
        await using var api = await ServedApi.StartAsync(Now);
        var url = $"http://127.0.0.1:9/hook/{HookToken}";
        var created = await api.Post("/api/subscribers", new
        {
            id = "desk",
            name = "Beijing desk",
            timeZone = "Asia/Shanghai",
            categories = new[] { "tariff" },
            channels = new object[] { new { type = "webhook", url }, new { type = "email", address = "desk@example.com" } },
        });
        Assert.Equal(201, created.Status);
        var secret = (string)created.Json["generatedSecrets"]![0]!["secret"]!;
        Assert.StartsWith("whsec_", secret);
        Assert.DoesNotContain(HookToken, created.Body);

        var read = await api.Get("/api/subscribers/desk");
        Assert.DoesNotContain(secret, read.Body);
        Assert.DoesNotContain(HookToken, read.Body);
        Assert.Null(read.Json["generatedSecrets"]);

        var edited = read.Json.AsObject();
        edited["name"] = "Beijing trade desk";
        var put = await api.Put("/api/subscribers/desk", edited.ToJsonString(), read.ETag);
        Assert.Equal(200, put.Status);
        Assert.Null(put.Json["generatedSecrets"]);
        var stored = (await api.Installation.Get<RecordStore>().GetSubscriberAsync("desk"))!.Value;
        Assert.Equal("Beijing trade desk", stored.Name);
        Assert.Equal(url, stored.Channels[0].Target);
        Assert.Equal(secret, stored.Channels[0].Secret);
        Assert.Equal("desk@example.com", stored.Channels[1].Target);

        // A redacted URL without the channel's id cannot be told from a new URL: refused, not stored as written.
        var stripped = put.Json.AsObject();
        stripped["channels"]![0]!.AsObject().Remove("id");
        var refused = await api.Put("/api/subscribers/desk", stripped.ToJsonString(), put.ETag);
        Assert.Equal(400, refused.Status);
        Assert.Equal("channels[0].url", (string?)refused.Json["errors"]![0]!["field"]);

        var list = await api.Get("/api/subscribers?category=tariff");
        Assert.Equal(["desk"], list.Json["subscribers"]!.AsArray().Select(s => (string?)s!["id"]));
        await api.Get("/api/audit?subscriber=desk");
        Assert.All(api.Answers.Skip(1), a => Assert.DoesNotContain(secret, a));
        Assert.All(api.Answers, a => Assert.DoesNotContain(HookToken, a));
    }

    [Fact]
    public async Task A_subscriber_is_deleted_with_If_Match_and_the_audit_keeps_its_last_state()
    {
        await using var api = await ServedApi.StartAsync(Now);
        var created = await api.Post("/api/subscribers", new
        {
            id = "desk",
            name = "Desk",
            categories = new[] { "tariff" },
            channels = new object[] { new { type = "webhook", url = $"http://127.0.0.1:9/hook/{HookToken}" } },
        });
        Assert.Equal(409, (await api.Post("/api/subscribers", created.Json.AsObject().ToJsonString())).Status);
        Assert.Equal(428, (await api.Delete("/api/subscribers/desk", null)).Status);
        Assert.Equal(204, (await api.Delete("/api/subscribers/desk", created.ETag, ServedApi.BobKey)).Status);
        Assert.Null(await api.Installation.Get<RecordStore>().GetSubscriberAsync("desk"));
        var entry = (await api.Get("/api/audit?subscriber=desk")).Json["entries"]![0]!;
        Assert.Equal("deleted", (string?)entry["action"]);
        Assert.Equal("bob", (string?)entry["actor"]);
        Assert.Equal("Desk", (string?)entry["before"]!["name"]);
        Assert.Null(entry["after"]);
        Assert.All(api.Answers, a => Assert.DoesNotContain(HookToken, a));
    }

    [Fact]
    public async Task Audit_shows_import_and_api_changes_and_filters_by_record_and_time()
    {
        await using var api = await ServedApi.StartAsync(Now);
        await api.Installation.ImportAsync(File([Deadline("aug", "2025-08-12T00:01")], [Subscriber("desk", "http://127.0.0.1:9/hook")]));
        await api.Installation.ImportAsync(File([Deadline("aug", "2025-08-12T00:01")], [])); // unchanged: no entry
        api.Installation.Clock.Advance(Duration.FromHours(1));
        await api.Post("/api/deadlines", Truce());

        var all = (await api.Get("/api/audit")).Json["entries"]!.AsArray();
        Assert.Equal(["alice truce", "import aug", "import desk"],
            all.Select(e => $"{e!["actor"]} {e["recordId"]}").OrderBy(x => x, StringComparer.Ordinal));
        var since = (await api.Get("/api/audit?since=2025-07-29T08:30:00Z")).Json["entries"]!.AsArray();
        Assert.Equal(["truce"], since.Select(e => (string?)e!["recordId"]));
        Assert.Equal(400, (await api.Get("/api/audit?since=yesterday")).Status);
        Assert.Equal(400, (await api.Get("/api/audit?deadline=a&subscriber=b")).Status);
    }
}

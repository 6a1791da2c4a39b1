using System.Text.Json.Nodes;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.App.Links;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Testing;
using NodaTime;
using IcalCalendar = Ical.Net.Calendar;

namespace DeadlineAlerts.Cli.Tests;

/// <summary>
/// Issue #4's routes as people meet them: real HTTP to the dla serve host, Azurite behind it, deliveries to a
/// real loopback receiver, and the links those deliveries carry followed back to the host.
/// </summary>
public sealed class ServeEndToEndTests
{
    private static readonly Instant Aug6 = Instant.FromUtc(2025, 8, 6, 12, 0);

    private static object Truce(params string[] leadTimes) => new
    {
        id = "truce",
        title = "US-China tariff truce expires",
        due = "2025-08-12T00:01",
        timeZone = "America/New_York",
        category = "tariff",
        leadTimes,
    };

    private static object Desk(LoopbackReceiver receiver) => new
    {
        id = "beijing-desk",
        name = "Beijing desk",
        timeZone = "Asia/Shanghai",
        categories = new[] { "tariff" },
        channels = new[] { new { type = "webhook", url = receiver.Url() } },
    };

    /// <summary>What the host's loop does each round: a tick, then every queued delivery; returns what arrived.</summary>
    private static async Task<List<JsonNode>> TickAndDeliverAsync(ServedApi api, LoopbackReceiver receiver)
    {
        var before = receiver.Requests.Count;
        await api.Installation.Get<ScanService>().TickAsync();
        await api.Installation.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(20));
        return receiver.Requests.Skip(before).Select(r => JsonNode.Parse(r.Body)!).ToList();
    }

    private static string Text(JsonNode payload) => (string)payload["text"]!;

    [Fact]
    public async Task An_operator_extends_and_resolves_over_http_and_the_desk_hears_each_once()
    {
        using var receiver = new LoopbackReceiver();
        await using var api = await ServedApi.StartAsync(Aug6);
        Assert.Equal(201, (await api.Post("/api/deadlines", Truce("PT0S"))).Status); // no lead alert before 12 Aug
        Assert.Equal(201, (await api.Post("/api/subscribers", Desk(receiver))).Status);
        Assert.Equal(["truce"], (await api.Get("/api/deadlines")).Json["deadlines"]!.AsArray().Select(d => (string?)d!["id"]));
        var read = await api.Get("/api/deadlines/truce");

        api.Installation.Clock.Advance(Duration.FromMinutes(5));
        var extended = await api.SendAsync("POST", "/api/deadlines/truce/extend",
            new { to = "2025-11-10T00:01", reason = "90-day extension agreed in Stockholm" }, ifMatch: read.ETag);
        Assert.Equal(200, extended.Status);
        Assert.Equal("2025-11-10T00:01:00", (string?)extended.Json["due"]);
        var history = Assert.Single(extended.Json["history"]!.AsArray())!;
        Assert.Equal(("extended", "alice"), ((string?)history["change"], (string?)history["by"]));
        Assert.NotNull(extended.ETag);
        Assert.NotEqual(read.ETag, extended.ETag);

        var notice = Assert.Single(await TickAndDeliverAsync(api, receiver));
        Assert.StartsWith("Extended by 90 days: US-China tariff truce expires, now Mon 10 Nov 00:01 EST (was Tue 12 Aug 00:01 EDT)", Text(notice));
        Assert.Contains("90-day extension agreed in Stockholm", Text(notice));

        // Another operator still holding the morning's copy is told what changed instead of overwriting it.
        var stale = await api.SendAsync("POST", "/api/deadlines/truce/resolve", new { reason = "signed" }, key: ServedApi.BobKey, ifMatch: read.ETag);
        Assert.Equal(412, stale.Status);
        Assert.Equal("2025-11-10T00:01:00", (string?)stale.Json["current"]!["due"]);
        Assert.Equal(extended.ETag, stale.ETag);
        Assert.Empty(await TickAndDeliverAsync(api, receiver));

        api.Installation.Clock.Advance(Duration.FromMinutes(5));
        var resolved = await api.SendAsync("POST", "/api/deadlines/truce/resolve", new { reason = "signed" }, key: ServedApi.BobKey, ifMatch: stale.ETag);
        Assert.Equal(200, resolved.Status);
        Assert.Equal("resolved", (string?)resolved.Json["status"]);
        Assert.StartsWith("Resolved: US-China tariff truce expires", Text(Assert.Single(await TickAndDeliverAsync(api, receiver))));

        var audit = (await api.Get("/api/audit?deadline=truce")).Json["entries"]!.AsArray(); // newest first
        Assert.Equal(["created alice", "extended alice", "resolved bob"],
            audit.Reverse().Select(e => $"{e!["action"]} {e["actor"]}"));
    }

    [Fact]
    public async Task The_unsubscribe_link_a_webhook_delivered_shows_a_page_then_removes_the_channel_and_bad_tokens_look_alike()
    {
        using var receiver = new LoopbackReceiver();
        await using var api = await ServedApi.StartAsync(Aug6, signedLinks: true);
        await api.Post("/api/deadlines", Truce("PT0S"));
        await api.Post("/api/subscribers", Desk(receiver));
        var sent = Instant.FromUtc(2025, 8, 12, 4, 1, 30);
        api.Installation.Clock.Reset(sent);
        var alert = Assert.Single(await TickAndDeliverAsync(api, receiver));
        var link = (string)alert["unsubscribeUrl"]!;
        Assert.StartsWith(new Uri(api.Host.BaseUri, "api/unsubscribe?token=").ToString(), link);

        var page = await api.Follow("GET", link);
        Assert.Equal(200, page.Status);
        Assert.Equal("text/html; charset=utf-8", page.Response.Content.Headers.ContentType!.ToString());
        Assert.Contains("Beijing desk", page.Body);
        Assert.Contains("<form method=\"post\"", page.Body);
        Assert.Single((await api.Installation.Get<RecordStore>().GetSubscriberAsync("beijing-desk"))!.Value.Channels); // GET changes nothing

        // Refusals before the link is used: a forged token, and the real one once its lifetime has passed.
        var forgedLink = link[..(link.IndexOf("token=", StringComparison.Ordinal) + 6)] + "djE.Zm9yZ2Vk";
        var forged = new[] { await api.Follow("GET", forgedLink), await api.Follow("POST", forgedLink, "List-Unsubscribe=One-Click") };
        api.Installation.Clock.Advance(Duration.FromDays(61));
        var expired = new[] { await api.Follow("GET", link), await api.Follow("POST", link, "List-Unsubscribe=One-Click") };
        Assert.Equal(400, forged[0].Status);
        Assert.Contains("not valid or has expired", forged[0].Body);
        Assert.Single(forged.Concat(expired).Select(a => (a.Status, a.Body)).Distinct());
        Assert.NotNull(await api.Installation.Get<RecordStore>().GetSubscriberAsync("beijing-desk"));

        api.Installation.Clock.Reset(sent);
        var done = await api.Follow("POST", link, "List-Unsubscribe=One-Click");
        Assert.Equal(200, done.Status);
        Assert.Contains("Done", done.Body);
        Assert.Null(await api.Installation.Get<RecordStore>().GetSubscriberAsync("beijing-desk")); // its only channel: the subscription ends
    }

    [Fact]
    public async Task The_calendar_feed_is_served_to_its_token_only()
    {
        using var receiver = new LoopbackReceiver();
        await using var api = await ServedApi.StartAsync(Aug6, signedLinks: true);
        await api.Post("/api/deadlines", Truce("P1D"));
        await api.Post("/api/subscribers", Desk(receiver));
        var url = api.Installation.Get<SubscriberLinks>().CalendarUrl("beijing-desk")!;
        Assert.StartsWith(new Uri(api.Host.BaseUri, "api/calendar/beijing-desk.ics?token=").ToString(), url);

        var feed = await api.Follow("GET", url);
        Assert.Equal(200, feed.Status);
        Assert.Equal("text/calendar; charset=utf-8", feed.Response.Content.Headers.ContentType!.ToString());
        var e = Assert.Single(IcalCalendar.Load(feed.Body)!.Events);
        Assert.Equal("US-China tariff truce expires", e.Summary);
        Assert.Equal(new DateTime(2025, 8, 12, 4, 1, 0, DateTimeKind.Utc), e.DtStart!.AsUtc); // 00:01 EDT

        var unsubscribeToken = api.Installation.Get<SubscriberLinks>().UnsubscribeUrl("beijing-desk", null)!.Split("token=")[1];
        var wrong = await api.Follow("GET", url.Split("token=")[0] + "token=" + unsubscribeToken);
        Assert.Equal(400, wrong.Status);
        Assert.DoesNotContain("BEGIN:VCALENDAR", wrong.Body);
    }

    [Fact]
    public async Task Health_is_public_and_operator_routes_are_not()
    {
        await using var api = await ServedApi.StartAsync(Aug6);
        var health = await api.Get("/api/health", key: null);
        Assert.Equal(200, health.Status);
        Assert.Equal("no-store", health.Header("Cache-Control"));
        Assert.Equal(401, (await api.Get("/api/deadlines", key: null)).Status);
    }
}

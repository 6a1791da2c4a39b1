using System.Text;
using System.Text.Json;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.App.Milestones;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Ledger;
using DeadlineAlerts.Testing;
using NodaTime;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.App.Tests;

/// <summary>"Paused until": real ticks on Azurite to loopback webhooks, the pause set by import or the API.</summary>
public sealed class PauseTests
{
    private static readonly Instant July29 = Instant.FromUtc(2025, 7, 29, 8, 0);
    private static readonly Dictionary<string, string?> Operator = new() { ["DeadlineAlerts:OperatorKey"] = "alice=key-1" };

    /// <summary>The truce, due Tue 12 Aug 2025 00:01 EDT (04:01 UTC), and one Beijing desk, paused or not.</summary>
    private static string Desk(LoopbackReceiver receiver, string[] leadTimes, string? pausedUntil = null, object? quietHours = null, string id = "beijing-desk") =>
        File([Deadline("us-china-tariff-truce", "2025-08-12T00:01", leadTimes: leadTimes)], [Desk(receiver, pausedUntil, quietHours, id)]);

    private static object Desk(LoopbackReceiver receiver, string? pausedUntil, object? quietHours, string id) => new
    {
        id,
        name = "Beijing desk",
        timeZone = "Asia/Shanghai",
        categories = new[] { "tariff" },
        channels = new[] { new { type = "webhook", url = receiver.Url(id), secret = "whsec_" + Convert.ToBase64String(new byte[32]) } },
        pausedUntil,
        quietHours,
    };

    private static async Task TickAndDrainAsync(TestInstallation t, Instant at)
    {
        t.Clock.Reset(at);
        await t.Get<ScanService>().TickAsync();
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>An operator's API request with a JSON body.</summary>
    internal static ApiRequest Json(string method, string path, object? body = null, string? ifMatch = null)
    {
        var headers = new Dictionary<string, string> { ["Authorization"] = "Bearer key-1" };
        if (ifMatch is not null) headers["If-Match"] = ifMatch;
        if (body is not null) headers["Content-Type"] = "application/json";
        return new ApiRequest { Method = method, Path = path, Headers = headers, Body = body is null ? default : Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body)) };
    }

    private static JsonElement Body(ReceivedRequest r) => JsonDocument.Parse(r.Body).RootElement;

    [Fact]
    public async Task A_pause_set_through_the_api_holds_an_alert_to_its_end_and_releases_it_once()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29, Operator);
        await t.ImportAsync(Desk(receiver, ["P7D", "P1D"]));
        t.Clock.Reset(Instant.FromUtc(2025, 8, 1, 12, 0));
        var router = t.Get<ApiRouter>();
        var etag = (await router.HandleAsync(Json("GET", "/api/subscribers/beijing-desk"))).Headers["ETag"];

        Assert.Equal(428, (await router.HandleAsync(Json("POST", "/api/subscribers/beijing-desk/pause", new { until = "2025-08-08T09:00:00+08:00" }))).Status);
        var noOffset = await router.HandleAsync(Json("POST", "/api/subscribers/beijing-desk/pause", new { until = "2025-08-08T09:00" }, etag));
        Assert.Equal(400, noOffset.Status);
        var problem = JsonDocument.Parse(noOffset.BodyText).RootElement;
        Assert.StartsWith("\"until\" has no offset, so it names no single instant; give the instant the pause ends with Z (UTC) or its offset",
            problem.GetProperty("detail").GetString());
        var past = await router.HandleAsync(Json("POST", "/api/subscribers/beijing-desk/pause", new { until = "2025-08-01T11:00Z" }, etag));
        Assert.Equal((400, "\"until\" is not in the future; give an instant after now, or lift the pause (DELETE it)."),
            (past.Status, JsonDocument.Parse(past.BodyText).RootElement.GetProperty("detail").GetString()));
        var paused = await router.HandleAsync(Json("POST", "/api/subscribers/beijing-desk/pause", new { until = "2025-08-08T09:00:00+08:00" }, etag));
        Assert.Equal(200, paused.Status);
        Assert.Equal("2025-08-08T01:00:00Z", JsonDocument.Parse(paused.BodyText).RootElement.GetProperty("pausedUntil").GetString());
        Assert.NotEqual(etag, paused.Headers["ETag"]);
        var audit = Assert.Single(await t.Get<AuditLog>().QueryAsync("subscriber", "beijing-desk"), e => e.Action == AuditAction.Paused);
        Assert.Equal(("alice", "paused until 2025-08-08T01:00:00Z"), (audit.Actor, audit.Summary));

        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 5, 4, 1, 30)); // P7D's own time, inside the pause
        Assert.Empty(receiver.Requests);
        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 8, 1, 0, 30)); // the pause ends: 09:00 in Beijing
        var held = Body(Assert.Single(receiver.Requests));
        Assert.Equal(("P7D", "2025-08-08T01:00:00Z", false), (held.GetProperty("leadTime").GetString(), held.GetProperty("fireAt").GetString(), held.GetProperty("late").GetBoolean()));
        Assert.Equal("4 days, 3 hours left", held.GetProperty("countdown").GetString());

        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 9, 0, 0));
        Assert.Single(receiver.Requests); // released once
        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 11, 4, 1, 30)); // after the pause, alerts come at their time
        Assert.Equal(["P7D", "P1D"], receiver.Requests.Select(r => Body(r).GetProperty("leadTime").GetString()));
    }

    [Fact]
    public async Task Alerts_whose_deadline_passes_within_the_pause_are_skipped_with_the_reason()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29, Operator);
        await t.ImportAsync(Desk(receiver, ["P7D", "P1D", "PT0S"], pausedUntil: "2025-08-13T00:00:00Z"));

        foreach (var at in new[] { Instant.FromUtc(2025, 8, 5, 4, 1, 30), Instant.FromUtc(2025, 8, 11, 4, 1, 30), Instant.FromUtc(2025, 8, 12, 4, 1, 30), Instant.FromUtc(2025, 8, 13, 0, 0, 30) })
            await TickAndDrainAsync(t, at);

        Assert.Empty(receiver.Requests);
        var rows = await t.Get<AlertLedger>().QueryAsync(null);
        Assert.Equal(["P1D", "P7D", "PT0S"], rows.Select(e => e.LeadTime).Order());
        Assert.All(rows, e => Assert.Equal(
            (LedgerStatus.Skipped, "paused until 2025-08-13T00:00:00Z: the deadline is due before the pause ends, so the alert was not sent"), (e.Status, e.LastError)));
        // The pause is part of the record: the API shows it, ready to be sent back.
        var record = await t.Get<ApiRouter>().HandleAsync(Json("GET", "/api/subscribers/beijing-desk"));
        Assert.Equal("2025-08-13T00:00:00Z", JsonDocument.Parse(record.BodyText).RootElement.GetProperty("pausedUntil").GetString());
    }

    [Fact]
    public async Task Lifting_a_pause_lets_the_alerts_after_it_go_out_at_their_time()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29, Operator);
        await t.ImportAsync(Desk(receiver, ["P7D", "P1D"], pausedUntil: "2025-08-13T00:00:00Z"));
        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 5, 4, 1, 30));
        Assert.Empty(receiver.Requests);

        var router = t.Get<ApiRouter>();
        var etag = (await router.HandleAsync(Json("GET", "/api/subscribers/beijing-desk"))).Headers["ETag"];
        var resumed = await router.HandleAsync(Json("DELETE", "/api/subscribers/beijing-desk/pause", ifMatch: etag));
        Assert.Equal(200, resumed.Status);
        Assert.False(JsonDocument.Parse(resumed.BodyText).RootElement.TryGetProperty("pausedUntil", out _));
        Assert.Equal("alice", Assert.Single(await t.Get<AuditLog>().QueryAsync("subscriber", "beijing-desk"), e => e.Action == AuditAction.Resumed).Actor);

        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 11, 4, 1, 30));
        Assert.Equal(["P1D"], receiver.Requests.Select(r => Body(r).GetProperty("leadTime").GetString()));
    }

    [Fact]
    public async Task Change_notices_during_a_pause_follow_the_subscribers_urgent_rule()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29, Operator);
        // "passes": no quiet hours, so urgent messages pass (the default). "waits": its quiet hours hold urgent ones too.
        await t.ImportAsync(File([Deadline("us-china-tariff-truce", "2025-08-12T00:01", leadTimes: ["P1D"])],
        [
            Desk(receiver, "2025-08-13T00:00:00Z", null, "passes"),
            Desk(receiver, "2025-08-10T00:00:00Z", new { from = "22:00", to = "07:00", urgent = false }, "waits"),
        ]));

        t.Clock.Reset(Instant.FromUtc(2025, 8, 6, 12, 0));
        await t.Get<MilestoneService>().ExtendAsync("us-china-tariff-truce", "2025-11-10T00:01", null, "90 more days", "alice");
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(["/passes"], receiver.Requests.Select(r => r.Path));

        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 9, 23, 59)); // the pause has not ended
        Assert.Single(receiver.Requests);
        await TickAndDrainAsync(t, Instant.FromUtc(2025, 8, 10, 0, 0, 30)); // 08:00 in Beijing: paused no more, and past quiet hours
        Assert.Equal(["/passes", "/waits"], receiver.Requests.Select(r => r.Path));
        Assert.All(receiver.Requests, r => Assert.Equal("deadline.notice", Body(r).GetProperty("type").GetString()));
    }

    [Fact]
    public void A_pause_without_an_offset_is_refused_naming_the_record_the_field_and_the_fix()
    {
        using var receiver = new LoopbackReceiver();
        var e = Assert.Throws<RecordValidationException>(() => new RecordReader(new EndpointPolicy([$"127.0.0.1:{receiver.Port}"])).ReadJson(Desk(receiver, ["P1D"], pausedUntil: "2025-08-20T09:00"), July29));

        var problem = Assert.Single(e.Problems);
        Assert.Equal(("subscriber beijing-desk", "pausedUntil", "2025-08-20T09:00"), (problem.Record, problem.Field, problem.Value));
        Assert.Equal("has no offset, so it names no single instant; give the instant the pause ends with Z (UTC) or its offset, "
                     + "such as \"2025-08-20T09:00:00Z\" or \"2025-08-20T17:00:00+08:00\"", problem.Message);
    }
}

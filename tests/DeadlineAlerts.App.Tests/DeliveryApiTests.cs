using System.Text;
using System.Text.Json;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Testing;
using NodaTime;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.App.Tests;

/// <summary>The operator's delivery routes (ledger list, test send, re-send, clear, poison retry) through
/// <see cref="ApiRouter"/>, against Azurite and a loopback receiver.</summary>
public sealed class DeliveryApiTests
{
    private static readonly Instant Aug6 = Instant.FromUtc(2025, 8, 6, 12, 0);
    private static readonly Instant P1DFires = Instant.FromUtc(2025, 8, 11, 4, 1, 5);

    private static ApiRequest Call(string method, string path, Dictionary<string, string>? query = null) => new()
    {
        Method = method,
        Path = path,
        Query = query ?? [],
        Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer key-1" },
        Body = method == "POST" ? Encoding.UTF8.GetBytes("{}") : default,
    };

    private static JsonElement Json(ApiResponse r) => JsonDocument.Parse(r.BodyText).RootElement;

    private static object SlackSubscriber(LoopbackReceiver receiver) => new
    {
        id = "stockholm-channel",
        name = "Stockholm channel",
        categories = new[] { "tariff" },
        channels = new[] { new { type = "slack", url = receiver.Url("services/T000/B000/SECRETTOKEN") } },
    };

    private static async Task<TestInstallation> InstallAsync(string file, Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?> { ["DeadlineAlerts:OperatorKey"] = "alice=key-1" };
        foreach (var kv in settings ?? []) all[kv.Key] = kv.Value;
        var t = await TestInstallation.CreateAsync(Aug6, all);
        await t.ImportAsync(file);
        return t;
    }

    private static async Task TickAndDrainAsync(TestInstallation t, Instant at)
    {
        t.Clock.Reset(at);
        await t.Get<ScanService>().TickAsync();
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Send_test_delivers_a_marked_message_through_the_channel_and_reports_the_receivers_answer()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await InstallAsync(File([Deadline("truce", "2025-08-12T00:01")], [Subscriber("desk", receiver.Url())]));
        var router = t.Get<ApiRouter>();
        var channelId = Json(await router.HandleAsync(Call("GET", "/api/subscribers/desk"))).GetProperty("channels")[0].GetProperty("id").GetString()!;

        var ok = await router.HandleAsync(Call("POST", $"/api/subscribers/desk/channels/{channelId}/test"));

        Assert.Equal(200, ok.Status);
        Assert.True(Json(ok).GetProperty("delivered").GetBoolean());
        Assert.Equal("delivered", Json(ok).GetProperty("outcome").GetString());
        var got = Assert.Single(receiver.Requests);
        Assert.Contains("TEST message from DeadlineAlerts", got.Body);
        Assert.Equal(Json(ok).GetProperty("messageId").GetString(), got.Headers["webhook-id"]);
        Assert.StartsWith("v1,", got.Headers["webhook-signature"]); // signed like any alert: the real channel
        Assert.Empty(Json(await router.HandleAsync(Call("GET", "/api/alerts"))).GetProperty("alerts").EnumerateArray()); // not a ledger row

        receiver.Answer(403, "forbidden");
        var refused = await router.HandleAsync(Call("POST", $"/api/subscribers/desk/channels/{channelId}/test"));
        Assert.Equal(200, refused.Status);
        Assert.False(Json(refused).GetProperty("delivered").GetBoolean());
        Assert.Equal("not delivered: HTTP 403 Forbidden", Json(refused).GetProperty("outcome").GetString());

        var audit = (await t.Get<AuditLog>().QueryAsync("subscriber", "desk")).Where(e => e.Action == "channel-tested").ToList();
        Assert.Equal(2, audit.Count);
        Assert.All(audit, e => Assert.Equal("alice", e.Actor));
        Assert.Contains(": not delivered: HTTP 403 Forbidden", audit[0].Summary);

        var unknown = await router.HandleAsync(Call("POST", "/api/subscribers/desk/channels/webhook-nope/test"));
        Assert.Equal(404, unknown.Status);
        Assert.Contains($"its channels are {channelId}", unknown.BodyText);
    }

    [Fact]
    public async Task A_broken_channel_is_listed_refuses_resend_until_cleared_then_the_failed_alert_is_resent_once()
    {
        using var receiver = new LoopbackReceiver().Answer(404, "channel_not_found");
        await using var t = await InstallAsync(File([Deadline("truce", "2025-08-12T00:01", leadTimes: ["P1D"])], [SlackSubscriber(receiver)]));
        var router = t.Get<ApiRouter>();
        await TickAndDrainAsync(t, P1DFires);

        var failed = Json(await router.HandleAsync(Call("GET", "/api/alerts", new() { ["status"] = "failed", ["since"] = "2025-08-10T00:00:00Z" })))
            .GetProperty("alerts").EnumerateArray().Single();
        Assert.Equal("truce", failed.GetProperty("deadlineId").GetString());
        Assert.Equal("Slack answered HTTP 404 channel_not_found", failed.GetProperty("lastError").GetString());
        Assert.Equal(1, failed.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("sentAt").ValueKind);
        var key = failed.GetProperty("ledgerKey").GetString()!;
        var channelId = failed.GetProperty("channelId").GetString()!;

        var refused = await router.HandleAsync(Call("POST", $"/api/alerts/{key}/resend"));
        Assert.Equal(409, refused.Status);
        Assert.Contains("marked broken (Slack answered HTTP 404 channel_not_found); send it a test and clear the mark", refused.BodyText);

        var cleared = await router.HandleAsync(Call("POST", $"/api/subscribers/stockholm-channel/channels/{channelId}/clear"));
        Assert.True(Json(cleared).GetProperty("cleared").GetBoolean());
        Assert.Null(Assert.Single((await t.Get<RecordStore>().GetSubscriberAsync("stockholm-channel"))!.Value.Channels).BrokenReason);
        Assert.False(Json(await router.HandleAsync(Call("POST", $"/api/subscribers/stockholm-channel/channels/{channelId}/clear"))).GetProperty("cleared").GetBoolean());

        t.Clock.Advance(Duration.FromMinutes(30));
        var resent = await router.HandleAsync(Call("POST", $"/api/alerts/{key}/resend"));
        Assert.Equal(202, resent.Status);
        Assert.Equal("planned", Json(resent).GetProperty("status").GetString());
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(2, receiver.Requests.Count);
        Assert.Contains("23 hours, 30 minutes left", receiver.Requests.Last().Body); // a late alert: measured when it went out
        var rows = Json(await router.HandleAsync(Call("GET", "/api/alerts", new() { ["deadline"] = "truce" }))).GetProperty("alerts").EnumerateArray().ToList();
        Assert.Equal(["delivered", "failed"], rows.Select(r => r.GetProperty("status").GetString()).Order().ToList());
        var delivered = rows.Single(r => r.GetProperty("status").GetString() == "delivered");
        Assert.Equal("2025-08-11T04:31:05Z", delivered.GetProperty("sentAt").GetString());
        Assert.Equal(failed.GetProperty("alertId").GetString(), delivered.GetProperty("alertId").GetString()); // the receiver's idempotency key

        Assert.Equal(409, (await router.HandleAsync(Call("POST", $"/api/alerts/{key}/resend"))).Status); // re-sent already
        Assert.Equal(409, (await router.HandleAsync(Call("POST", $"/api/alerts/{delivered.GetProperty("ledgerKey").GetString()}/resend"))).Status);
        var actions = (await t.Get<AuditLog>().QueryAsync("subscriber", "stockholm-channel")).Select(e => (e.Action, e.Actor)).ToList();
        Assert.Contains(("channel-cleared", "alice"), actions);
        Assert.Contains(("resent", "alice"), actions);
        Assert.Contains(("channel-broken", "delivery"), actions);
        Assert.DoesNotContain(await t.Get<AuditLog>().QueryAsync("subscriber", "stockholm-channel"), e => (e.Summary + e.Before + e.After).Contains("SECRETTOKEN"));
    }

    [Fact]
    public async Task Alerts_list_refuses_a_bad_status_and_a_bad_since_naming_the_field()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await InstallAsync(File([Deadline("truce", "2025-08-12T00:01")], [Subscriber("desk", receiver.Url())]));
        var router = t.Get<ApiRouter>();

        var status = await router.HandleAsync(Call("GET", "/api/alerts", new() { ["status"] = "sent" }));
        Assert.Equal(400, status.Status);
        Assert.Contains("must be one of planned, sending, retrying, delivered, failed", status.BodyText);
        var since = await router.HandleAsync(Call("GET", "/api/alerts", new() { ["since"] = "yesterday" }));
        Assert.Equal("since", Json(since).GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal(404, (await router.HandleAsync(Call("POST", "/api/alerts/20250811-00~nothing/resend"))).Status);
        Assert.Equal(400, (await router.HandleAsync(Call("POST", "/api/alerts/not-a-key/resend"))).Status);
    }

    [Fact]
    public async Task Poisoned_deliveries_are_listed_and_retry_sends_them_again()
    {
        using var receiver = new LoopbackReceiver().Answer(503, "down", times: 2);
        await using var t = await InstallAsync(File([Deadline("truce", "2025-08-12T00:01", leadTimes: ["P1D"])], [Subscriber("desk", receiver.Url())]),
            new() { ["DeadlineAlerts:MaxAttempts"] = "2" });
        var router = t.Get<ApiRouter>();
        await TickAndDrainAsync(t, P1DFires);

        var poisoned = Json(await router.HandleAsync(Call("GET", "/api/poison"))).GetProperty("alerts").EnumerateArray().Single();
        Assert.Equal("failed", poisoned.GetProperty("status").GetString());
        Assert.StartsWith("gave up after 2 attempts; last: HTTP 503", poisoned.GetProperty("lastError").GetString());

        var retry = Json(await router.HandleAsync(Call("POST", "/api/poison/retry")));
        Assert.Single(retry.GetProperty("resent").EnumerateArray());
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(3, receiver.Requests.Count);
        Assert.Empty(Json(await router.HandleAsync(Call("GET", "/api/poison"))).GetProperty("alerts").EnumerateArray());
        Assert.Single(Json(await router.HandleAsync(Call("GET", "/api/alerts", new() { ["status"] = "delivered" }))).GetProperty("alerts").EnumerateArray());
    }
}

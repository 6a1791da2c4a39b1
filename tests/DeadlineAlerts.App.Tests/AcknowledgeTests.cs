using System.Text.Json;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.App.Links;
using DeadlineAlerts.App.Milestones;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Storage.Acknowledgements;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Ledger;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Testing;
using NodaTime;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.App.Tests;

/// <summary>"Got it" links from real deliveries to loopback webhooks, followed through the API router on Azurite.</summary>
public sealed class AcknowledgeTests
{
    private static readonly Instant July29 = Instant.FromUtc(2025, 7, 29, 8, 0);
    private static readonly Instant TruceDue = Instant.FromUtc(2025, 8, 12, 4, 1); // 00:01 EDT
    // The truce is due Tue 12 Aug 2025 00:01 EDT = 04:01 UTC; its three lead-time alerts fire at these instants.
    private static readonly Instant P7DFires = Instant.FromUtc(2025, 8, 5, 4, 1, 30);
    private static readonly Instant P1DFires = Instant.FromUtc(2025, 8, 11, 4, 1, 30);
    private static readonly Instant PT1HFires = Instant.FromUtc(2025, 8, 12, 3, 1, 30);
    private const string Secret = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    private static string TwoHooks(LoopbackReceiver receiver) => File(
        [Deadline("us-china-tariff-truce", "2025-08-12T00:01", leadTimes: ["P7D", "P1D", "PT1H"], title: "US-China tariff truce expires")],
        [new
        {
            id = "beijing-desk", name = "Beijing <desk>", timeZone = "Asia/Shanghai", categories = new[] { "tariff" },
            channels = new[]
            {
                new { type = "webhook", url = receiver.Url("first"), secret = Secret },
                new { type = "webhook", url = receiver.Url("second"), secret = Secret },
            },
        }]);

    private static async Task TickAndDrainAsync(TestInstallation t, Instant at)
    {
        t.Clock.Reset(at);
        await t.Get<ScanService>().TickAsync();
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(20));
    }

    private static JsonElement Json(ReceivedRequest r) => JsonDocument.Parse(r.Body).RootElement;

    private static string? LinkIn(ReceivedRequest r) => Json(r).TryGetProperty("acknowledgeUrl", out var u) ? u.GetString() : null;

    [Fact]
    public async Task Got_it_after_the_first_alert_stops_the_other_two_on_every_channel_a_notice_still_comes_and_an_extension_rearms()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29, SubscriberLinksSetup.Settings());
        await t.ImportAsync(TwoHooks(receiver));
        await TickAndDrainAsync(t, P7DFires);
        Assert.Equal(["/first", "/second"], receiver.Requests.Select(r => r.Path).Order());
        var link = LinkIn(receiver.Requests.Single(r => r.Path == "/first"))!;
        Assert.StartsWith("https://alerts.example.org/api/acknowledge?token=", link);
        Assert.StartsWith("https://alerts.example.org/api/acknowledge?token=", LinkIn(receiver.Requests.Single(r => r.Path == "/second")));

        // GET shows what it will do and changes nothing.
        var page = await t.SendAsync("GET", link);
        Assert.Equal(200, page.Status);
        Assert.Contains("<title>Got it?</title>", page.BodyText);
        Assert.Contains("US-China tariff truce expires", page.BodyText);
        Assert.Contains("Beijing &lt;desk&gt;", page.BodyText);
        Assert.Contains("Tue 12 Aug 2025 12:01 CST (Asia/Shanghai)", page.BodyText); // the due time in the subscriber's zone
        Assert.Contains("<form method=\"post\"", page.BodyText);
        Assert.Null(await t.Get<AcknowledgementStore>().GetAsync("us-china-tariff-truce", "beijing-desk", TruceDue));
        Assert.DoesNotContain(await t.Get<AuditLog>().QueryAsync("subscriber", "beijing-desk"), e => e.Action == AuditAction.Acknowledged);

        // POST acts, once; again is "already".
        var done = await t.SendAsync("POST", link, "");
        Assert.Equal(200, done.Status);
        Assert.Contains("Done: no more reminders about <strong>US-China tariff truce expires</strong>", done.BodyText);
        var again = await t.SendAsync("POST", link, "");
        Assert.Equal(200, again.Status);
        Assert.Contains("<title>Already acknowledged</title>", again.BodyText);
        var entry = Assert.Single(await t.Get<AuditLog>().QueryAsync("subscriber", "beijing-desk"), e => e.Action == AuditAction.Acknowledged);
        Assert.Equal(("subscriber", P7DFires), (entry.Actor, entry.At));
        Assert.Equal("acknowledged deadline us-china-tariff-truce due 2025-08-12T04:01:00Z: its remaining lead-time alerts stop on every channel"
                     + " (an extension or a move re-arms them)", entry.Summary);

        // The other two alerts never arrive on either channel; the ledger says why, per channel.
        receiver.Requests.Clear();
        await TickAndDrainAsync(t, P1DFires);
        await TickAndDrainAsync(t, PT1HFires);
        Assert.Empty(receiver.Requests);
        var channels = (await t.Get<RecordStore>().GetSubscriberAsync("beijing-desk"))!.Value.Channels;
        string PathOf(LedgerEntry e) => new Uri(channels.Single(c => c.Id == e.ChannelId).Target).AbsolutePath;
        var stopped = (await t.Get<AlertLedger>().QueryAsync(null)).Where(e => e.LeadTime is "P1D" or "PT1H").ToList();
        Assert.Equal([("P1D", "/first"), ("P1D", "/second"), ("PT1H", "/first"), ("PT1H", "/second")], stopped.Select(e => (e.LeadTime!, PathOf(e))).Order());
        Assert.All(stopped, e => Assert.Equal(LedgerStatus.Acknowledged, e.Status));
        Assert.All(stopped, e => Assert.Equal("acknowledged: subscriber said Got it at 2025-08-05T04:01:30Z for the due time 2025-08-12T04:01:00Z", e.LastError));

        // A change notice still comes; the extension re-arms the lead-time alerts of the new due time.
        t.Clock.Reset(Instant.FromUtc(2025, 8, 12, 3, 30));
        await t.Get<MilestoneService>().ExtendAsync("us-china-tariff-truce", "2025-11-10T00:01", null, "90 more days", "alice");
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(2, receiver.Requests.Count);
        Assert.All(receiver.Requests, r => Assert.Equal("deadline.notice", Json(r).GetProperty("type").GetString()));

        // The old link acknowledges nothing of the new due time: it says so and changes nothing.
        var moved = await t.SendAsync("POST", link, "");
        Assert.Equal(200, moved.Status);
        Assert.Contains("<title>This deadline has moved</title>", moved.BodyText);
        Assert.Contains("it is now due Mon 10 Nov 2025 13:01 CST (Asia/Shanghai)", moved.BodyText);

        receiver.Requests.Clear();
        await TickAndDrainAsync(t, Instant.FromUtc(2025, 11, 3, 5, 1, 30)); // P7D before 10 Nov 00:01 EST
        Assert.Equal(["/first", "/second"], receiver.Requests.Select(r => r.Path).Order());
        Assert.All(receiver.Requests, r => Assert.Equal(("P7D", "2025-11-10T05:01:00Z"),
            (Json(r).GetProperty("leadTime").GetString(), Json(r).GetProperty("deadline").GetProperty("due").GetString())));
        Assert.NotEqual(link, LinkIn(receiver.Requests.First()));
    }

    [Fact]
    public async Task Got_it_also_stops_a_copy_of_an_alert_that_is_waiting_to_be_retried()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29, SubscriberLinksSetup.Settings());
        await t.ImportAsync(TwoHooks(receiver));
        receiver.Answer(503, times: 1);
        t.Clock.Reset(P7DFires);
        await t.Get<ScanService>().TickAsync();
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.Zero); // what is due now, not the retry's backoff
        var rows = await t.Get<AlertLedger>().QueryAsync(null);
        var retrying = Assert.Single(rows, e => e.Status == LedgerStatus.Retrying);
        var delivered = Assert.Single(rows, e => e.Status == LedgerStatus.Delivered);
        Assert.NotEqual(retrying.ChannelId, delivered.ChannelId);
        var link = LinkIn(receiver.Requests.First())!;

        Assert.Equal(200, (await t.SendAsync("POST", link, "")).Status);
        receiver.Requests.Clear();
        t.Clock.Advance(Duration.FromMinutes(30));
        await t.Get<ScanService>().TickAsync(); // the sweep re-queues the retry when its time has come
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(20));

        Assert.Empty(receiver.Requests);
        var row = Assert.Single(await t.Get<AlertLedger>().GetAsync([(retrying.PartitionKey, retrying.RowKey)]));
        Assert.Equal(LedgerStatus.Acknowledged, row.Status);
        Assert.StartsWith("acknowledged: subscriber said Got it at 2025-08-05T04:01:30Z", row.LastError);
    }

    [Fact]
    public async Task Forged_tampered_expired_and_foreign_tokens_get_one_byte_identical_refusal_and_change_nothing()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29, SubscriberLinksSetup.Settings());
        await t.ImportAsync(TwoHooks(receiver));
        var links = t.Get<SubscriberLinks>();
        var due = Instant.FromUtc(2025, 8, 12, 4, 1);
        var valid = links.AcknowledgeUrl("beijing-desk", "us-china-tariff-truce", due)!;
        var token = valid[(valid.IndexOf("token=", StringComparison.Ordinal) + 6)..];
        var tampered = token[..^3] + (token[^3] == 'A' ? "B" : "A") + token[^2..];
        await using var other = await TestInstallation.CreateAsync(July29, SubscriberLinksSetup.Settings(
            ("DeadlineAlerts:UnsubscribeKey", Convert.ToBase64String(new byte[32]))));
        var otherKey = other.Get<SubscriberLinks>().AcknowledgeUrl("beijing-desk", "us-china-tariff-truce", due)!;
        var unsubscribe = links.UnsubscribeUrl("beijing-desk", null)!;
        var unsubscribeToken = unsubscribe[(unsubscribe.IndexOf("token=", StringComparison.Ordinal) + 6)..];

        var refusals = new List<(int, string, byte[])>();
        async Task TryAsync(string url)
        {
            foreach (var method in new[] { "GET", "POST" })
            {
                var r = await t.SendAsync(method, url, method == "POST" ? "" : null);
                refusals.Add((r.Status, r.ContentType ?? "", r.Body));
            }
        }
        foreach (var url in new[]
                 {
                     "https://alerts.example.org/api/acknowledge",
                     "https://alerts.example.org/api/acknowledge?token=garbage",
                     $"https://alerts.example.org/api/acknowledge?token={tampered}",
                     otherKey,
                     $"https://alerts.example.org/api/acknowledge?token={unsubscribeToken}", // another purpose
                 })
            await TryAsync(url);
        t.Clock.Advance(Duration.FromDays(60)); // the link's lifetime
        await TryAsync(valid);

        var refusal = Assert.Single(refusals.Select(r => (r.Item1, r.Item2, Convert.ToBase64String(r.Item3))).Distinct());
        Assert.Equal(400, refusal.Item1);
        Assert.Contains("This Got it link is not valid or has expired.", System.Text.Encoding.UTF8.GetString(refusals[0].Item3));
        Assert.Null(await t.Get<AcknowledgementStore>().GetAsync("us-china-tariff-truce", "beijing-desk", TruceDue));

        // A Got it token is no unsubscribe token: the unsubscribe page refuses it and removes nothing.
        t.Clock.Reset(July29);
        var asUnsubscribe = await t.SendAsync("POST", $"https://alerts.example.org/api/unsubscribe?token={token}", "List-Unsubscribe=One-Click");
        Assert.Equal(400, asUnsubscribe.Status);
        Assert.Equal(2, (await t.Get<RecordStore>().GetSubscriberAsync("beijing-desk"))!.Value.Channels.Count);
    }

    [Fact]
    public async Task The_Got_it_pages_follow_the_subscribers_locale_and_a_refusal_the_browsers_language()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29, SubscriberLinksSetup.Settings());
        await t.ImportAsync(File(
            [Deadline("us-china-tariff-truce", "2025-08-12T00:01", leadTimes: ["P7D", "P1D"], title: "中美关税休战到期")],
            [
                new
                {
                    id = "beijing-desk", name = "北京交易台", timeZone = "Asia/Shanghai", locale = "zh-CN", categories = new[] { "tariff" },
                    channels = new[] { new { type = "webhook", url = receiver.Url("beijing"), secret = Secret } },
                },
                new
                {
                    id = "stockholm-desk", name = "Stockholmsdesken", timeZone = "Europe/Stockholm", locale = "sv", categories = new[] { "tariff" },
                    channels = new[] { new { type = "webhook", url = receiver.Url("stockholm"), secret = Secret } },
                },
            ]));
        await TickAndDrainAsync(t, P7DFires);
        var beijing = LinkIn(receiver.Requests.Single(r => r.Path == "/beijing"))!;
        var stockholm = LinkIn(receiver.Requests.Single(r => r.Path == "/stockholm"))!;

        var ask = await t.SendAsync("GET", beijing);
        Assert.Equal(200, ask.Status);
        Assert.Contains("<html lang=\"zh-CN\">", ask.BodyText);
        Assert.Contains("<title>知道了？</title>", ask.BodyText);
        Assert.Contains("<p>停止向 <strong>北京交易台</strong> 的所有渠道发送 <strong>中美关税休战到期</strong>（截止时间 2025年8月12日 星期二 12:01 CST（Asia/Shanghai））的剩余提醒？</p>",
            ask.BodyText);
        Assert.Contains("<button type=\"submit\">知道了</button>", ask.BodyText);
        var done = await t.SendAsync("POST", beijing, "");
        Assert.Contains("<title>知道了</title>", done.BodyText);
        Assert.Contains("<p>完成：不会再发送 <strong>中美关税休战到期</strong>（截止时间 2025年8月12日 星期二 12:01 CST（Asia/Shanghai））的提醒。", done.BodyText);
        Assert.Contains("<title>此前已确认</title>", (await t.SendAsync("POST", beijing, "")).BodyText);

        // Swedish: å, ä and ö are written as character references (&#228;), so read the page as a browser shows it.
        var askSv = System.Net.WebUtility.HtmlDecode((await t.SendAsync("GET", stockholm)).BodyText);
        Assert.Contains("<html lang=\"sv\">", askSv);
        Assert.Contains("<title>Uppfattat?</title>", askSv);
        Assert.Contains("<p>Sluta skicka de återstående påminnelserna om <strong>中美关税休战到期</strong> (förfaller tis 12 aug. 2025 kl. 06:01 CEST (Europe/Stockholm)) till <strong>Stockholmsdesken</strong>, i alla dess kanaler?</p>",
            askSv);
        Assert.Contains("<button type=\"submit\">Uppfattat</button>", askSv);
        var doneSv = System.Net.WebUtility.HtmlDecode((await t.SendAsync("POST", stockholm, "")).BodyText);
        Assert.Contains("<title>Uppfattat</title>", doneSv);
        Assert.Contains("<p>Klart: inga fler påminnelser om <strong>中美关税休战到期</strong> för förfallotiden tis 12 aug. 2025 kl. 06:01 CEST (Europe/Stockholm).", doneSv);

        // A bad token names no subscriber: the refusal is in the browser's language, the same bytes for every bad token.
        async Task<Api.ApiResponse> RefusedAsync(string method, string token)
        {
            var r = SubscriberLinksSetup.Request(method, $"https://alerts.example.org/api/acknowledge?token={token}", method == "POST" ? "" : null);
            return await t.Get<Api.ApiRouter>().HandleAsync(new Api.ApiRequest
            {
                Method = r.Method,
                Path = r.Path,
                Query = r.Query,
                Body = r.Body,
                Headers = new Dictionary<string, string>(r.Headers) { ["Accept-Language"] = "zh-CN,zh;q=0.9,en;q=0.8" },
            });
        }
        var refusals = new[] { await RefusedAsync("GET", "garbage"), await RefusedAsync("POST", beijing[(beijing.IndexOf("token=", StringComparison.Ordinal) + 6)..^2]) };
        Assert.All(refusals, r => Assert.Equal(400, r.Status));
        Assert.Equal(refusals[0].BodyText, refusals[1].BodyText);
        Assert.Contains("<title>此链接无效</title>", refusals[0].BodyText);
        Assert.Contains("<p>此“知道了”链接无效或已过期。", refusals[0].BodyText);
    }

    [Fact]
    public async Task An_operator_can_say_got_it_for_a_subscriber_through_the_api_and_the_audit_names_the_operator()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29, SubscriberLinksSetup.Settings(("DeadlineAlerts:OperatorKey", "alice=key-1")));
        await t.ImportAsync(TwoHooks(receiver));

        var first = await t.Get<Api.ApiRouter>().HandleAsync(PauseTests.Json("POST", "/api/subscribers/beijing-desk/acknowledge", new { deadline = "us-china-tariff-truce" }));
        var second = await t.Get<Api.ApiRouter>().HandleAsync(PauseTests.Json("POST", "/api/subscribers/beijing-desk/acknowledge", new { deadline = "us-china-tariff-truce" }));
        var missing = await t.Get<Api.ApiRouter>().HandleAsync(PauseTests.Json("POST", "/api/subscribers/beijing-desk/acknowledge", new { deadline = "no-such" }));

        Assert.Equal(200, first.Status);
        Assert.Equal("""{"subscriber":"beijing-desk","deadline":"us-china-tariff-truce","dueAt":"2025-08-12T04:01:00Z","acknowledged":true}""",
            JsonSerializer.Serialize(JsonDocument.Parse(first.BodyText).RootElement));
        Assert.False(JsonDocument.Parse(second.BodyText).RootElement.GetProperty("acknowledged").GetBoolean());
        Assert.Equal(404, missing.Status);
        Assert.Equal("alice", Assert.Single(await t.Get<AuditLog>().QueryAsync("subscriber", "beijing-desk"), e => e.Action == AuditAction.Acknowledged).Actor);

        await TickAndDrainAsync(t, P7DFires);
        Assert.Empty(receiver.Requests);
        Assert.Equal(2, (await t.Get<AlertLedger>().QueryAsync(null)).Count(e => e.Status == LedgerStatus.Acknowledged));
    }
}

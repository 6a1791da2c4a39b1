using System.Text;
using System.Text.Json;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.Export;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.App.Links;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Testing;
using NodaTime;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.App.Tests;

/// <summary>
/// Subscribers in their own language, end to end on Azurite: the locale is stored and exported, a Beijing desk's Slack
/// and webhook messages arrive in Chinese with Chinese dates, a locale with no language file arrives in English, and
/// the unsubscribe page and the calendar feed follow the locale.
/// </summary>
public sealed class LocaleTests
{
    private static readonly Instant July29 = Instant.FromUtc(2025, 7, 29, 8, 0);
    /// <summary>The P7D alert of a deadline due Tue 12 Aug 2025 00:01 New York time (04:01 UTC).</summary>
    private static readonly Instant P7DFires = Instant.FromUtc(2025, 8, 5, 4, 1, 30);
    private const string Secret = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    private static string Desks(LoopbackReceiver receiver) => File(
        [Deadline("us-china-tariff-truce", "2025-08-12T00:01", leadTimes: ["P7D"], title: "中美关税休战到期")],
        [
            new
            {
                id = "beijing-desk", name = "北京交易台", timeZone = "Asia/Shanghai", locale = "zh-cn", categories = new[] { "tariff" },
                channels = new object[]
                {
                    new { type = "slack", url = receiver.Url("slack") },
                    new { type = "webhook", url = receiver.Url("beijing"), secret = Secret },
                },
            },
            new
            {
                id = "paris-desk", name = "Paris desk", timeZone = "Europe/Paris", locale = "fr-FR", categories = new[] { "tariff" },
                channels = new object[] { new { type = "webhook", url = receiver.Url("paris"), secret = Secret } },
            },
        ]);

    private static async Task<TestInstallation> DeliveredAsync(LoopbackReceiver receiver)
    {
        var t = await TestInstallation.CreateAsync(July29, SubscriberLinksSetup.Settings());
        await t.ImportAsync(Desks(receiver));
        t.Clock.Reset(P7DFires);
        await t.Get<ScanService>().TickAsync();
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(20));
        return t;
    }

    private static JsonElement Body(LoopbackReceiver receiver, string path) =>
        JsonDocument.Parse(receiver.Requests.Single(r => r.Path == "/" + path).Body).RootElement;

    [Fact]
    public async Task A_zh_CN_subscriber_gets_Chinese_text_and_dates_on_Slack_and_webhook_and_the_locale_is_stored_and_exported()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await DeliveredAsync(receiver);

        var stored = (await t.Get<RecordStore>().GetSubscriberAsync("beijing-desk"))!.Value;
        Assert.Equal("zh-CN", stored.Locale!.Name);
        var exported = JsonDocument.Parse(await t.Get<ExportService>().JsonAsync(includeSecrets: false)).RootElement.GetProperty("subscribers");
        Assert.Equal(["zh-CN", "fr-FR"], exported.EnumerateArray().OrderBy(s => s.GetProperty("id").GetString()).Select(s => s.GetProperty("locale").GetString()));

        var slack = Body(receiver, "slack");
        Assert.Equal(
            "剩余7天：中美关税休战到期，8月12日 周二 00:01 EDT\n" +
            "截止时间：2025年8月12日 星期二 00:01 EDT（America/New_York）\n" +
            "您的时间：2025年8月12日 星期二 12:01 CST（Asia/Shanghai）",
            slack.GetProperty("text").GetString());
        var blocks = slack.GetProperty("blocks");
        Assert.Equal("*剩余7天*\n*截止时间：* 2025年8月12日 星期二 00:01 EDT（America/New_York）\n*您的时间：* 2025年8月12日 星期二 12:01 CST（Asia/Shanghai）",
            blocks[1].GetProperty("text").GetProperty("text").GetString());
        var context = blocks[2].GetProperty("elements")[0].GetProperty("text").GetString()!;
        Assert.Equal("提醒：提前7天 · tariff", context);
        // Got it and Unsubscribe are link buttons (an incoming webhook has no interactivity), labelled in Chinese.
        var buttons = blocks[3].GetProperty("elements").EnumerateArray().Select(b => (b.GetProperty("text").GetProperty("text").GetString(), b.GetProperty("url").GetString()!)).ToList();
        Assert.Equal(["知道了", "取消订阅"], buttons.Select(b => b.Item1));
        Assert.StartsWith("https://alerts.example.org/api/acknowledge?token=", buttons[0].Item2, StringComparison.Ordinal);
        Assert.StartsWith("https://alerts.example.org/api/unsubscribe?token=", buttons[1].Item2, StringComparison.Ordinal);

        var webhook = Body(receiver, "beijing");
        Assert.Equal(("deadline.alert", "P7D", "剩余7天"), (webhook.GetProperty("type").GetString(), webhook.GetProperty("leadTime").GetString(), webhook.GetProperty("countdown").GetString()));
        Assert.Equal(slack.GetProperty("text").GetString(), webhook.GetProperty("text").GetString());
        var yours = webhook.GetProperty("deadline").GetProperty("dueInSubscriberZone");
        Assert.Equal(("2025-08-12T12:01:00+08:00", "Asia/Shanghai", "2025年8月12日 星期二 12:01 CST（Asia/Shanghai）"),
            (yours.GetProperty("local").GetString(), yours.GetProperty("timeZone").GetString(), yours.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task A_locale_with_no_language_file_gets_English()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await DeliveredAsync(receiver);
        Assert.Equal(
            "7 days left: 中美关税休战到期, Tue 12 Aug 00:01 EDT\n" +
            "Due: Tue 12 Aug 2025 00:01 EDT (America/New_York)\n" +
            "Your time: Tue 12 Aug 2025 06:01 CEST (Europe/Paris)",
            Body(receiver, "paris").GetProperty("text").GetString());
    }

    [Fact]
    public async Task The_unsubscribe_page_follows_the_locale_and_a_refusal_the_browsers_language()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await DeliveredAsync(receiver);
        var link = Body(receiver, "beijing").GetProperty("unsubscribeUrl").GetString()!;

        var page = await t.SendAsync("GET", link);
        Assert.Equal(200, page.Status);
        Assert.Contains("<html lang=\"zh-CN\">", page.BodyText);
        Assert.Contains("<title>取消订阅？</title>", page.BodyText);
        Assert.Contains("<p>停止通过 webhook <strong>http://127.0.0.1:", page.BodyText);
        Assert.Contains("</strong> 向 <strong>北京交易台</strong> 发送截止提醒？</p>", page.BodyText);
        Assert.Contains("<button type=\"submit\">取消订阅</button>", page.BodyText);

        var done = await t.SendAsync("POST", link, "List-Unsubscribe=One-Click");
        Assert.Contains("<p>完成：您不会再收到这些消息。</p>", done.BodyText);
        var again = await t.SendAsync("POST", link, "List-Unsubscribe=One-Click");
        Assert.Contains("<p>此前已取消：您不会收到这些消息。</p>", again.BodyText);

        // A bad token names no subscriber: the refusal is in the language the browser asks for, the same for every bad token.
        var forged = SubscriberLinksSetup.Request("GET", "https://alerts.example.org/api/unsubscribe?token=garbage");
        var swedish = await t.Get<ApiRouter>().HandleAsync(new ApiRequest
        {
            Method = forged.Method,
            Path = forged.Path,
            Query = forged.Query,
            Headers = new Dictionary<string, string> { ["Accept-Language"] = "sv-SE,sv;q=0.9,en;q=0.8" },
            Body = forged.Body,
        });
        Assert.Equal(400, swedish.Status);
        Assert.Contains("<title>Länken fungerar inte</title>", System.Net.WebUtility.HtmlDecode(swedish.BodyText)); // ä is written &#228;
        Assert.Contains("<html lang=\"sv-SE\">", swedish.BodyText);
        var plain = await t.SendAsync("GET", "https://alerts.example.org/api/unsubscribe?token=garbage");
        Assert.Contains("<title>This link does not work</title>", plain.BodyText);
    }

    [Fact]
    public async Task The_calendar_feed_follows_the_locale()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29, SubscriberLinksSetup.Settings());
        await t.ImportAsync(Desks(receiver));
        var feed = await t.SendAsync("GET", t.Get<SubscriberLinks>().CalendarUrl("beijing-desk")!);
        Assert.Equal(200, feed.Status);
        var ics = Encoding.UTF8.GetString(feed.Body).Replace("\r\n ", "", StringComparison.Ordinal); // RFC 5545 unfolding
        Assert.Contains("X-WR-CALNAME:北京交易台 的截止事项\r\n", ics);
        Assert.Contains("DESCRIPTION:截止时间：2025年8月12日 星期二 00:01 EDT（America/New_York）\\n您的时间：2025年8月12日 星期二 12:01 CST（Asia/Shanghai）", ics);
        Assert.Contains("DESCRIPTION:提前7天：中美关税休战到期\r\n", ics);
    }
}

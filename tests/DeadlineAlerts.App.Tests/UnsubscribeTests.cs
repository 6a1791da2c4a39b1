using System.Globalization;
using System.Text.Json;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.App.Links;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Delivery.Tests.Support;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Testing;
using Microsoft.Extensions.Options;
using NodaTime;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.App.Tests;

/// <summary>Unsubscribe links from real deliveries, followed through the API router on Azurite.</summary>
public sealed class UnsubscribeTests
{
    private static readonly Instant July29 = Instant.FromUtc(2025, 7, 29, 8, 0);
    private static readonly Instant P7DFires = Instant.FromUtc(2025, 8, 5, 4, 1, 30);
    private static readonly Instant P1DFires = Instant.FromUtc(2025, 8, 11, 4, 1, 30);
    private const string Secret = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    private static string TwoHooks(LoopbackReceiver receiver) => File(
        [Deadline("us-china-tariff-truce", "2025-08-12T00:01", leadTimes: ["P7D", "P1D"])],
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

    private static string LinkIn(ReceivedRequest r) => JsonDocument.Parse(r.Body).RootElement.GetProperty("unsubscribeUrl").GetString()!;

    [Fact]
    public async Task Removing_one_channel_by_its_link_leaves_the_other_delivering_and_is_audited()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29, SubscriberLinksSetup.Settings());
        await t.ImportAsync(TwoHooks(receiver));
        await TickAndDrainAsync(t, P7DFires);
        var first = receiver.Requests.Single(r => r.Path == "/first");
        var link = LinkIn(first);
        Assert.StartsWith("https://alerts.example.org/api/unsubscribe?token=", link);
        Assert.NotEqual(link, LinkIn(receiver.Requests.Single(r => r.Path == "/second")));

        var page = await t.SendAsync("GET", link);
        Assert.Equal(200, page.Status);
        Assert.Equal("text/html; charset=utf-8", page.ContentType);
        Assert.Contains("Beijing &lt;desk&gt;", page.BodyText);
        Assert.Contains("http://127.0.0.1:", page.BodyText); // the channel, redacted
        Assert.DoesNotContain("/first", page.BodyText);
        Assert.Contains("<form method=\"post\"", page.BodyText);
        Assert.Equal(2, (await t.Get<RecordStore>().GetSubscriberAsync("beijing-desk"))!.Value.Channels.Count); // GET changes nothing

        var done = await t.SendAsync("POST", link, "List-Unsubscribe=One-Click");
        Assert.Equal(200, done.Status);
        Assert.Contains("Done", done.BodyText);
        var again = await t.SendAsync("POST", link, "List-Unsubscribe=One-Click");
        Assert.Equal(200, again.Status);
        Assert.Contains("already done", again.BodyText);

        var entry = Assert.Single(await t.Get<AuditLog>().QueryAsync("subscriber", "beijing-desk"), e => e.Actor == "subscriber");
        Assert.Equal(("subscriber", AuditAction.Unsubscribed), (entry.Actor, entry.Action));
        Assert.Contains("removed channel webhook-", entry.Summary);
        Assert.DoesNotContain("/first", entry.Before + entry.After + entry.Summary);

        receiver.Requests.Clear();
        await TickAndDrainAsync(t, P1DFires);
        Assert.Equal(["/second"], receiver.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task Forged_tampered_expired_and_foreign_tokens_get_one_refusal_whether_or_not_the_subscriber_exists()
    {
        await using var t = await TestInstallation.CreateAsync(July29, SubscriberLinksSetup.Settings());
        using var receiver = new LoopbackReceiver();
        await t.ImportAsync(TwoHooks(receiver));
        var links = t.Get<SubscriberLinks>();
        var valid = links.UnsubscribeUrl("beijing-desk", null)!;
        var token = valid[(valid.IndexOf("token=", StringComparison.Ordinal) + 6)..];
        var tampered = token[..^3] + (token[^3] == 'A' ? "B" : "A") + token[^2..];
        var swapped = t.Get<LinkSigner>().Sign(new LinkToken("beijing-desk", LinkScope.Subscription, null))!.Split('.')[0]
                      + "." + token.Split('.')[1];
        await using var other = await TestInstallation.CreateAsync(July29, SubscriberLinksSetup.Settings(
            ("DeadlineAlerts:UnsubscribeKey", Convert.ToBase64String(new byte[32]))));
        var otherKey = other.Get<SubscriberLinks>().UnsubscribeUrl("beijing-desk", null)!;
        var nobody = other.Get<SubscriberLinks>().UnsubscribeUrl("no-such-desk", null)!;
        var calendar = links.CalendarUrl("beijing-desk")!;
        var calendarToken = calendar[(calendar.IndexOf("token=", StringComparison.Ordinal) + 6)..];

        var refusals = new List<(int, string)>();
        foreach (var url in new[]
                 {
                     "https://alerts.example.org/api/unsubscribe",
                     "https://alerts.example.org/api/unsubscribe?token=garbage",
                     $"https://alerts.example.org/api/unsubscribe?token={tampered}",
                     $"https://alerts.example.org/api/unsubscribe?token={swapped}",
                     otherKey,
                     nobody,
                     $"https://alerts.example.org/api/unsubscribe?token={calendarToken}",
                 })
            foreach (var method in new[] { "GET", "POST" })
            {
                var r = await t.SendAsync(method, url, method == "POST" ? "List-Unsubscribe=One-Click" : null);
                refusals.Add((r.Status, r.BodyText));
            }
        t.Clock.Advance(Duration.FromDays(60));
        foreach (var method in new[] { "GET", "POST" })
        {
            var r = await t.SendAsync(method, valid, method == "POST" ? "List-Unsubscribe=One-Click" : null);
            refusals.Add((r.Status, r.BodyText));
        }

        Assert.Single(refusals.Distinct());
        Assert.Equal(400, refusals[0].Item1);
        Assert.Contains("not valid or has expired", refusals[0].Item2);
        Assert.NotNull(await t.Get<RecordStore>().GetSubscriberAsync("beijing-desk"));
        Assert.DoesNotContain(await t.Get<AuditLog>().QueryAsync("subscriber", "beijing-desk"), e => e.Actor == "subscriber"); // only the import's own entry
    }

    [Fact]
    public async Task A_whole_subscription_link_deletes_the_subscriber_and_nothing_more_is_sent()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29, SubscriberLinksSetup.Settings());
        await t.ImportAsync(TwoHooks(receiver));
        var link = t.Get<SubscriberLinks>().UnsubscribeUrl("beijing-desk", null)!;

        Assert.Contains("the whole subscription", (await t.SendAsync("GET", link)).BodyText);
        Assert.Contains("Done", (await t.SendAsync("POST", link, "")).BodyText);

        Assert.Null(await t.Get<RecordStore>().GetSubscriberAsync("beijing-desk"));
        Assert.Null(Assert.Single(await t.Get<AuditLog>().QueryAsync("subscriber", "beijing-desk"), e => e.Actor == "subscriber").After);
        Assert.Contains("Already unsubscribed", (await t.SendAsync("GET", link)).BodyText);
        await TickAndDrainAsync(t, P7DFires);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task An_email_received_over_smtp_carries_one_click_headers_that_remove_that_address()
    {
        await using var smtp = LoopbackSmtpServer.Start();
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29, SubscriberLinksSetup.Settings(
            ("DeadlineAlerts:Email:Transport", "smtp"),
            ("DeadlineAlerts:Email:From", "alerts@example.com"),
            ("DeadlineAlerts:Email:Smtp:Host", "127.0.0.1"),
            ("DeadlineAlerts:Email:Smtp:Port", smtp.Port.ToString(CultureInfo.InvariantCulture)),
            ("DeadlineAlerts:Email:Smtp:UseStartTls", "false")));
        await t.ImportAsync(File(
            [Deadline("us-china-tariff-truce", "2025-08-12T00:01", leadTimes: ["P7D", "P1D"])],
            [new
            {
                id = "desk", name = "Desk", categories = new[] { "tariff" },
                channels = new object[] { new { type = "email", address = "desk@example.com" }, new { type = "webhook", url = receiver.Url("hook"), secret = Secret } },
            }]));

        await TickAndDrainAsync(t, P7DFires);
        var email = Assert.Single(smtp.Messages);
        var header = email.Headers["List-Unsubscribe"];
        Assert.Matches("^<https://alerts\\.example\\.org/api/unsubscribe\\?token=[A-Za-z0-9_.-]+>$", header);
        Assert.Equal("List-Unsubscribe=One-Click", email.Headers["List-Unsubscribe-Post"]);
        var link = header!.Trim('<', '>');
        Assert.Contains(link, email.TextBody);

        // RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the header's URL, without a page.
        Assert.Equal(200, (await t.SendAsync("POST", link, "List-Unsubscribe=One-Click")).Status);

        await TickAndDrainAsync(t, P1DFires);
        Assert.Single(smtp.Messages);
        Assert.Equal(2, receiver.Requests.Count);
        Assert.Equal(["webhook"], (await t.Get<RecordStore>().GetSubscriberAsync("desk"))!.Value.Channels.Select(c => c.Type));
    }

    [Fact]
    public async Task Without_a_signing_key_messages_carry_no_link_and_the_host_says_what_to_set()
    {
        using var receiver = new LoopbackReceiver();
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(File([Deadline("us-china-tariff-truce", "2025-08-12T00:01", leadTimes: ["P7D"])], [Subscriber("desk", receiver.Url())]));

        await TickAndDrainAsync(t, P7DFires);

        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(Assert.Single(receiver.Requests).Body).RootElement.GetProperty("unsubscribeUrl").ValueKind);
        Assert.Contains("DeadlineAlerts__UnsubscribeKey", t.Get<SubscriberLinks>().Problem);
    }
}

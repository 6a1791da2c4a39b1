using DeadlineAlerts.Testing;
using DeadlineAlerts.Testing.Processes;
using Microsoft.Playwright;
using NodaTime;
using NodaTime.Text;

namespace DeadlineAlerts.Console.Tests;

/// <summary>
/// A first-time operator's morning in the console, in Chromium, against <c>dla serve</c> (a child process on
/// the test Azurite, ticking every 2 s) and two loopback receivers: a webhook that accepts everything and a
/// Slack hook that is told to answer 410 once. Every view is checked with axe-core and photographed into
/// <c>console-screenshots</c> beside the test assembly.
/// </summary>
public sealed class OperatorConsoleTests
{
    private const string Key = "console-test-key-0123456789";
    private const string Title = "US-China truce <script>window.__pwned = 1</script> expires";
    private static readonly LocalDateTimePattern Local = LocalDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd'T'HH:mm");

    [Fact]
    public async Task An_operator_adds_extends_tests_repairs_and_resolves_a_deadline_in_the_browser()
    {
        using var webhook = new LoopbackReceiver();
        using var slack = new LoopbackReceiver();
        var settings = DlaProcess.LoopbackSettings();
        settings["DeadlineAlerts__OperatorKey"] = $"alice={Key}";
        settings["DeadlineAlerts__ScanPeriod"] = "00:00:02";
        await using var dla = new DlaProcess(environment: settings);
        var (serve, consoleUri) = await ServeProcess.StartAsync(dla);
        await using var browser = await ConsoleBrowser.LaunchAsync();
        var page = browser.Page;
        var newYork = DateTimeZoneProviders.Tzdb["America/New_York"];
        var due = SystemClock.Instance.GetCurrentInstant().Plus(Duration.FromDays(3)).InZone(newYork).LocalDateTime;
        due = due.Date.At(new LocalTime(due.Hour, due.Minute));
        try
        {
            // Sign in.
            await page.GotoAsync(consoleUri.ToString());
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" }));
            await browser.AssertAccessibleAsync("sign-in");
            await browser.ScreenshotAsync("01-sign-in");
            await page.GetByLabel("Operator key").FillAsync(Key);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Board" }));
            Assert.Contains("Signed in as alice", await page.Locator("#who").InnerTextAsync());
            Assert.Null(await page.EvaluateAsync<string?>("() => document.cookie || null")); // the key is no cookie

            // New deadline with a Windows zone id: the API's field error shows next to "Time zone".
            await page.GetByRole(AriaRole.Link, new() { Name = "New deadline" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New deadline" }));
            await page.GetByLabel("Id", new() { Exact = true }).FillAsync("truce");
            await page.GetByLabel("Title", new() { Exact = true }).FillAsync(Title);
            await page.GetByLabel("Due", new() { Exact = true }).FillAsync(Local.Format(due));
            await page.GetByLabel("Time zone", new() { Exact = true }).FillAsync("Eastern Standard Time");
            await page.GetByLabel("Lead times", new() { Exact = true }).FillAsync("P1D PT1H PT0S");
            await page.GetByLabel("Category", new() { Exact = true }).FillAsync("tariff");
            await page.GetByLabel("Notes", new() { Exact = true }).FillAsync("90-day pause agreed in Geneva");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create deadline" }).ClickAsync();
            var zoneError = page.Locator("#dl-timeZone-error");
            await Assertions.Expect(zoneError).ToContainTextAsync("is a Windows time zone id; use the IANA id America/New_York instead");
            Assert.Equal("true", await page.GetByLabel("Time zone", new() { Exact = true }).GetAttributeAsync("aria-invalid"));
            await browser.AssertAccessibleAsync("deadline form with a field error");
            await browser.ScreenshotAsync("02-deadline-form-error");

            // Fixed with the page's own suggestion, then created: the deadline opens.
            await page.GetByRole(AriaRole.Button, new() { Name = "Use America/New_York" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Create deadline" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = Title }));

            // The countdown ticks from the server's instant.
            var countdown = page.Locator("#countdown");
            var first = await countdown.InnerTextAsync();
            await Task.Delay(2200);
            var second = await countdown.InnerTextAsync();
            Assert.Matches(@"^\d+ d \d\d:\d\d:\d\d left$", first);
            Assert.NotEqual(first, second);

            // Board: the <script> title is text, never run.
            await Nav(page, "Board").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Board" }));
            var row = page.Locator("tr[data-id='truce']");
            Assert.Equal(Title, await row.GetByRole(AriaRole.Link).InnerTextAsync());
            Assert.Null(await page.EvaluateAsync<int?>("() => window.__pwned ?? null"));
            await browser.AssertAccessibleAsync("board");

            // A subscriber with a webhook and a Slack hook, added through the form.
            await Nav(page, "Subscribers").ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Add subscriber" }).ClickAsync();
            await page.GetByLabel("Id", new() { Exact = true }).FillAsync("desk");
            await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Trade desk");
            await page.GetByLabel("Time zone", new() { Exact = true }).FillAsync("Asia/Shanghai");
            await page.GetByLabel("Categories", new() { Exact = true }).FillAsync("tariff");
            await page.GetByRole(AriaRole.Button, new() { Name = "Add channel" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Add channel" }).ClickAsync();
            var channels = page.Locator("fieldset.channel");
            await channels.Nth(0).GetByLabel("URL or address").FillAsync(webhook.Url("desk"));
            await channels.Nth(1).GetByLabel("Type").SelectOptionAsync("slack");
            await channels.Nth(1).GetByLabel("URL or address").FillAsync(slack.Url("services/T0/B0/TOKEN"));
            await page.GetByRole(AriaRole.Button, new() { Name = "Create subscriber" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Subscriber Trade desk" }));
            await Assertions.Expect(page.Locator(".secrets")).ToContainTextAsync("shown this once");
            await Assertions.Expect(channels.Nth(1).GetByLabel("URL or address")).ToHaveValueAsync($"http://127.0.0.1:{slack.Port}/***");

            // Send test through the webhook: the receiver gets it and the page says so.
            await channels.Nth(0).GetByRole(AriaRole.Button, new() { Name = "Send test" }).ClickAsync();
            await Assertions.Expect(channels.Nth(0).Locator(".outcome")).ToContainTextAsync("Test message delivered");
            Assert.Contains(webhook.Requests, r => r.Path == "/desk" && r.Body.Contains("TEST message from DeadlineAlerts"));
            await browser.AssertAccessibleAsync("subscriber");
            await browser.ScreenshotAsync("05-subscriber");
            await Nav(page, "Subscribers").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Subscribers" }));
            await browser.AssertAccessibleAsync("subscribers");
            await browser.ScreenshotAsync("04-subscribers");

            // The board again, now with the next alert planned for the desk; and the timeline of coming weeks.
            await Nav(page, "Board").ClickAsync();
            await Assertions.Expect(row).ToContainTextAsync("P1D to desk");
            await browser.ScreenshotAsync("03-board");
            await page.SetViewportSizeAsync(390, 844);
            await browser.ScreenshotAsync("03-board-phone");
            await page.SetViewportSizeAsync(1280, 900);
            await Nav(page, "Timeline").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Timeline" }));
            Assert.Equal(3, await page.Locator("svg.timeline circle.alert-dot").CountAsync()); // P1D, PT1H and PT0S to the desk
            Assert.Equal(1, await page.Locator("svg.timeline polygon.due-mark").CountAsync());
            await browser.AssertAccessibleAsync("timeline");
            await browser.ScreenshotAsync("06-timeline");

            // The Slack hook has been archived: it answers the next request 410.
            slack.Answer(410, "channel_is_archived");

            // Extend by 90 days with a reason: history shows it, and the notice reaches the webhook.
            await page.GotoAsync(new Uri(consoleUri, "#deadline/truce").ToString());
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = Title }));
            var extendedTo = due.PlusDays(90);
            await page.GetByLabel("Extend to").FillAsync(Local.Format(extendedTo));
            await page.Locator("#extend-reason").FillAsync("Executive order: 90-day extension");
            await page.GetByRole(AriaRole.Button, new() { Name = "Extend" }).ClickAsync();
            await Assertions.Expect(page.Locator("ol.history").First).ToContainTextAsync("extended by alice");
            await Assertions.Expect(page.Locator("ol.history").First).ToContainTextAsync("Executive order: 90-day extension");
            await Assertions.Expect(page.Locator("ol.history").Nth(1)).ToContainTextAsync("extended by alice");
            await WaitForAsync(() => webhook.Requests.Any(r => r.Body.Contains("Extended by 90 days")), "the extension notice at the webhook", serve);

            // The ledger on the deadline's page shows the notice delivered to the webhook and failed at Slack.
            var ledger = page.Locator("table.ledger");
            await WaitForPageAsync(page, async () => await ledger.CountAsync() > 0 && (await ledger.InnerTextAsync()) is var t && t.Contains("delivered") && t.Contains("failed"),
                "the notice delivered and failed in the deadline's ledger", serve);
            await Assertions.Expect(ledger).ToContainTextAsync("notice");
            await browser.AssertAccessibleAsync("deadline");
            await browser.ScreenshotAsync("07-deadline");

            // Delivery health: the failed notice with Slack's reason, the broken channel; Clear, then Re-send.
            await Nav(page, "Delivery health").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Delivery health" }));
            await Assertions.Expect(page.Locator("table.ledger")).ToContainTextAsync("Slack answered HTTP 410 channel_is_archived");
            var broken = page.Locator(".broken-list li");
            await Assertions.Expect(broken).ToContainTextAsync("Trade desk");
            await Assertions.Expect(page.Locator("dl.facts")).ToContainTextAsync("Last tick");
            await browser.AssertAccessibleAsync("delivery health");
            await browser.ScreenshotAsync("08-delivery-health");
            await broken.GetByRole(AriaRole.Button, new() { Name = "Clear" }).ClickAsync();
            await Assertions.Expect(page.GetByText("No channel is marked broken.")).ToBeVisibleAsync();
            var slackBefore = slack.Requests.Count;
            await page.GetByRole(AriaRole.Button, new() { Name = "Re-send" }).ClickAsync();
            await Assertions.Expect(page.Locator("table.ledger .outcome")).ToContainTextAsync("Re-sent");
            await WaitForAsync(() => slack.Requests.Skip(slackBefore).Any(r => r.Body.Contains("Extended by 90 days")), "the re-sent notice at the Slack hook", serve);

            // Resolve: the board shows it resolved.
            await page.GotoAsync(new Uri(consoleUri, "#deadline/truce").ToString());
            await page.Locator("#resolve-reason").FillAsync("Agreement signed");
            await page.GetByRole(AriaRole.Button, new() { Name = "Resolve" }).ClickAsync();
            await Assertions.Expect(page.Locator("#countdown")).ToHaveTextAsync("resolved");
            Assert.Null(await page.EvaluateAsync<int?>("() => window.__pwned ?? null"));
            Assert.DoesNotContain("page error", browser.Log());
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            await browser.ScreenshotAsync("failure");
            throw new Xunit.Sdk.XunitException($"{e.GetType().Name}: {e.Message}\n--- page log ---\n{browser.Log()}\n--- dla serve ---\n{serve.Tail()}\n(screenshot: {ConsoleBrowser.ScreenshotFolder}/failure.png)");
        }
    }

    /// <summary>
    /// The sample file on 5 Aug 2025 (the picture in README, docs/console-board.png, comes from here): overdue,
    /// due-within-a-day and later rows, filters, the viewer's zone remembered across a reload, and a stale edit (412).
    /// </summary>
    [Fact]
    public async Task The_board_of_the_sample_deadlines_marks_overdue_and_soon_rows_filters_remembers_the_viewer_zone_and_a_stale_edit_offers_overwrite()
    {
        var settings = DlaProcess.LoopbackSettings();
        settings["DeadlineAlerts__OperatorKey"] = $"alice={Key}";
        await using var dla = new DlaProcess(environment: settings);
        await dla.RunOkAsync("import", Path.Combine(RepoPaths.Root, "samples", "trade-deadlines.json"), "--now", "2025-07-29T05:00:00Z");
        var (serve, consoleUri) = await ServeProcess.StartAsync(dla, "--no-run", "--now", "2025-08-11T06:00:00Z");
        await using var browser = await ConsoleBrowser.LaunchAsync(1360, 800);
        var page = browser.Page;
        try
        {
            await page.GotoAsync(consoleUri.ToString());
            await page.GetByLabel("Operator key").FillAsync(Key);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Board" }));
            await page.GetByLabel("Viewer time zone").SelectOptionAsync("Asia/Shanghai");
            await Assertions.Expect(page.Locator("table.board thead")).ToContainTextAsync("Due (Asia/Shanghai)");
            await Assertions.Expect(page.Locator("tr[data-id='us-china-tariff-truce']")).ToHaveClassAsync("soon");
            await Assertions.Expect(page.Locator("tr[data-id='us-china-tariff-truce'] td.countdown")).ToContainTextAsync("left");
            Assert.True(await page.Locator("tr.overdue").CountAsync() > 0, "an active deadline past its due time is marked overdue");
            await page.GetByLabel("Status").SelectOptionAsync("");
            await browser.AssertAccessibleAsync("board of the sample deadlines");
            await browser.ScreenshotAsync("00-board-sample");

            await page.ReloadAsync(); // the key stays in the tab, the viewer's zone in the browser
            await Assertions.Expect(page.Locator("table.board thead")).ToContainTextAsync("Due (Asia/Shanghai)");
            await page.GetByLabel("Search").FillAsync("truce");
            var rows = await page.Locator("table.board tbody tr").AllAsync();
            Assert.NotEmpty(rows);
            Assert.All(await Task.WhenAll(rows.Select(r => r.InnerTextAsync())), t => Assert.Contains("truce", t, StringComparison.OrdinalIgnoreCase));
            await page.GetByLabel("Status").SelectOptionAsync("resolved");
            await Assertions.Expect(page.GetByText("No deadline matches these filters.")).ToBeVisibleAsync();

            // A stale edit: another operator extends the truce while the form is open. Saving is refused with the
            // deadline as it is now; Overwrite is a deliberate second step.
            await page.GotoAsync(new Uri(consoleUri, "#deadline/us-china-tariff-truce").ToString());
            await page.GetByRole(AriaRole.Button, new() { Name = "Edit deadline" }).ClickAsync();
            await page.GetByLabel("Title", new() { Exact = true }).FillAsync("US-China tariff truce ends");
            await dla.RunOkAsync("extend", "us-china-tariff-truce", "--to", "2025-11-10T00:01", "--reason", "90 more days", "--now", "2025-08-11T06:05:00Z");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
            var stale = page.Locator(".stale");
            await Assertions.Expect(stale).ToContainTextAsync("Someone changed this deadline since you opened it; nothing was written.");
            await Assertions.Expect(stale).ToContainTextAsync("due 2025-11-10T00:01:00 America/New_York");
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Reload" })).ToBeVisibleAsync();
            await browser.ScreenshotAsync("09-stale-edit");
            await page.GetByRole(AriaRole.Button, new() { Name = "Overwrite" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "US-China tariff truce ends" }));
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            await browser.ScreenshotAsync("failure-sample");
            throw new Xunit.Sdk.XunitException($"{e.GetType().Name}: {e.Message}\n--- page log ---\n{browser.Log()}\n--- dla serve ---\n{serve.Tail()}");
        }
    }

    /// <summary>A link of the page's navigation ("Views").</summary>
    private static ILocator Nav(IPage page, string view) =>
        page.GetByRole(AriaRole.Navigation, new() { Name = "Views" }).GetByRole(AriaRole.Link, new() { Name = view, Exact = true });

    private static Task Expect(ILocator locator) => Assertions.Expect(locator).ToBeVisibleAsync();

    private static async Task WaitForAsync(Func<bool> condition, string what, ChildProcess serve)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > until) Assert.Fail($"Waited 30 s for {what}; it did not come.\n{serve.Tail()}");
            await Task.Delay(200);
        }
    }

    /// <summary>Reloads the page (the key stays in the tab's sessionStorage) until the condition holds.</summary>
    private static async Task WaitForPageAsync(IPage page, Func<Task<bool>> condition, string what, ChildProcess serve)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try { if (await condition()) return; }
            catch (PlaywrightException) { /* the view is being rebuilt */ }
            if (DateTime.UtcNow > until) Assert.Fail($"Waited 30 s for {what}; it did not come.\n{serve.Tail()}");
            await Task.Delay(1000);
            await page.ReloadAsync();
            await page.Locator("#view h1").WaitForAsync();
        }
    }
}

using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using DeadlineAlerts.Testing.Processes;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace DeadlineAlerts.Console.Tests;

/// <summary>
/// Debian's Chromium driven by Playwright: launched by its executable path (<c>/usr/bin/chromium</c>, or env
/// <c>DEADLINEALERTS_CHROMIUM</c>), headless, <c>--no-sandbox</c>. Playwright's own browser download is never
/// used. A machine without Chromium fails the test with what to install (CI installs it in <c>.ci/run</c>).
/// </summary>
public sealed class ConsoleBrowser : IAsyncDisposable
{
    public const string ChromiumVariable = "DEADLINEALERTS_CHROMIUM";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    public IBrowserContext Context { get; }
    public IPage Page { get; }

    /// <summary>Where each view's screenshot goes: <c>console-screenshots</c> in the test's output folder.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "console-screenshots");

    /// <summary>What the page printed to its console and the errors it threw, for failure messages.</summary>
    public List<string> PageLog { get; } = [];

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Context = context;
        Page = page;
        page.Console += (_, m) => { lock (PageLog) PageLog.Add($"console.{m.Type}: {m.Text}"); };
        page.PageError += (_, e) => { lock (PageLog) PageLog.Add($"page error: {e}"); };
    }

    private static readonly StrongBox<bool> Fresh = new(false);

    public static string ChromiumPath()
    {
        var path = Environment.GetEnvironmentVariable(ChromiumVariable) is { Length: > 0 } given ? given : "/usr/bin/chromium";
        if (!File.Exists(path))
            Assert.Fail($"Chromium is not at {path}. The console tests drive Debian's Chromium: install it " +
                        $"(sudo apt-get install -y chromium; .ci/run does) or set {ChromiumVariable} to a Chromium executable.");
        return path;
    }

    public static async Task<ConsoleBrowser> LaunchAsync(int width = 1280, int height = 900)
    {
        var chromium = ChromiumPath();
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-GB",
            TimezoneId = "Europe/Stockholm",
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        lock (Fresh)
            if (!Fresh.Value) // this run's pictures only
            {
                Directory.CreateDirectory(ScreenshotFolder);
                foreach (var old in Directory.GetFiles(ScreenshotFolder, "*.png")) File.Delete(old);
                Fresh.Value = true;
            }
        return new ConsoleBrowser(playwright, browser, context, page);
    }

    public async Task ScreenshotAsync(string name) =>
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });

    /// <summary>axe-core on the page as it is now; fails naming every serious or critical violation and where it is.</summary>
    public async Task AssertAccessibleAsync(string view)
    {
        var result = await Page.RunAxe();
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        if (bad.Count > 0)
            Assert.Fail($"axe-core found {bad.Count} serious or critical violation(s) on the {view} view:\n" + string.Join("\n", bad.Select(v =>
                $"- {v.Impact} {v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target.ToString()))}")));
    }

    public string Log() { lock (PageLog) return string.Join("\n", PageLog); }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        await _browser.CloseAsync();
        _playwright.Dispose();
    }
}

/// <summary><c>dla serve --port 0</c> as a child process on the test Azurite, and where its console is.</summary>
public static class ServeProcess
{
    public static async Task<(ChildProcess Serve, Uri Console)> StartAsync(DlaProcess dla, params string[] extra)
    {
        var serve = dla.Start(["serve", "--port", "0", .. extra]);
        var line = await serve.WaitForTextAsync("Operator console: ", TimeSpan.FromSeconds(60));
        var url = Regex.Match(line, @"Operator console: (\S+)").Groups[1].Value;
        await serve.WaitForTextAsync("Operator key: configured", TimeSpan.FromSeconds(10));
        return (serve, new Uri(url));
    }
}

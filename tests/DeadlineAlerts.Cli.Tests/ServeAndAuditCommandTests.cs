using System.Net;
using System.Text.Json;
using DeadlineAlerts.Testing;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.Cli.Tests;

/// <summary><c>dla serve</c> and <c>dla audit</c> as an operator starts them.</summary>
public sealed class ServeAndAuditCommandTests : DlaTestBase
{

    /// <summary>Captures output and lets a test wait for a line (an event, not a timeout).</summary>
    private sealed class WatchedWriter(string waitFor) : StringWriter
    {
        public TaskCompletionSource<string> Seen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override Task WriteLineAsync(string? value)
        {
            if (value?.Contains(waitFor) == true) Seen.TrySetResult(value);
            return base.WriteLineAsync(value);
        }
    }

    [Fact]
    public async Task Serve_prints_its_url_and_that_no_operator_key_is_set_and_answers_on_loopback()
    {
        var stdout = new WatchedWriter("Operator key:");
        using var stop = new CancellationTokenSource();
        var serve = RunAsync(["serve", "--port", "0", "--no-run"], stdout, new StringWriter(), stop.Token);
        var first = await Task.WhenAny(stdout.Seen.Task, serve);
        Assert.Same(stdout.Seen.Task, first);
        Assert.Contains("NOT configured", await stdout.Seen.Task);

        var url = stdout.ToString().Split('\n').Single(l => l.StartsWith("Serving the API on ", StringComparison.Ordinal)).Split(' ')[4];
        Assert.StartsWith("http://127.0.0.1:", url);
        using var http = new HttpClient();
        var answer = await http.GetAsync(url + "deadlines");
        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);

        stop.Cancel();
        Assert.Equal(0, await serve);
    }

    private const string LinksOff = "warning: messages carry no unsubscribe link and no calendar feed is offered: ";
    private const string KeyMissing = "DeadlineAlerts__UnsubscribeKey is not set; give base64 of at least 32 random bytes (openssl rand -base64 32)";
    private const string BaseMissing = "DeadlineAlerts__PublicBaseUrl is not an absolute http(s) URL; set it to the address subscribers reach this app at";

    /// <summary>Runs <paramref name="body"/> with the two link settings as given.</summary>
    private async Task WithLinkSettings(string? key, string? baseUrl, Func<Task> body)
    {
        Settings["DeadlineAlerts__UnsubscribeKey"] = key;
        Settings["DeadlineAlerts__PublicBaseUrl"] = baseUrl;
        await body();
    }

    /// <summary>The warning showed only with --verbose, so an operator learnt of it from a subscriber.</summary>
    [Fact]
    public async Task Run_says_at_start_without_verbose_that_links_are_off_naming_the_settings_and_no_value()
    {
        var key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        await WithLinkSettings(null, null, async () =>
        {
            var run = await Dla("run", "--once", "--now", "2025-07-29T06:00:30Z");
            Assert.Equal(0, run.Code);
            Assert.Equal(LinksOff + KeyMissing + "; and " + BaseMissing, run.Out.Split('\n')[0].TrimEnd('\r'));
            Assert.Single(run.Out.Split('\n'), l => l.StartsWith("warning: messages carry", StringComparison.Ordinal));
        });
        await WithLinkSettings(key, null, async () =>
        {
            var run = await Dla("run", "--once", "--now", "2025-07-29T06:00:30Z");
            Assert.Equal(LinksOff + BaseMissing, run.Out.Split('\n')[0].TrimEnd('\r'));
            Assert.DoesNotContain(key, run.Out + run.Err);
        });
        await WithLinkSettings("not-base64!", "https://alerts.example.org", async () =>
        {
            // A key that is set but unusable is a bad setting, not a missing one: run stops at start (SettingsCheckCliTests).
            var run = await Dla("run", "--once", "--now", "2025-07-29T06:00:30Z");
            Assert.Equal(1, run.Code);
            Assert.Contains("DeadlineAlerts__UnsubscribeKey is (set, not shown); that is not base64", run.Err);
            Assert.DoesNotContain("not-base64!", run.Out + run.Err);
        });
        await WithLinkSettings(key, "https://alerts.example.org", async () =>
        {
            var run = await Dla("run", "--once", "--now", "2025-07-29T06:00:30Z");
            Assert.Equal(0, run.Code);
            Assert.DoesNotContain("warning: messages carry", run.Out + run.Err);
        });
    }

    [Fact]
    public async Task Serve_says_at_start_without_verbose_that_links_are_off()
    {
        await WithLinkSettings(null, "https://alerts.example.org", async () =>
        {
            var stdout = new WatchedWriter(LinksOff);
            using var stop = new CancellationTokenSource();
            var serve = RunAsync(["serve", "--port", "0", "--no-run"], stdout, new StringWriter(), stop.Token);
            var first = await Task.WhenAny(stdout.Seen.Task, serve);
            Assert.Same(stdout.Seen.Task, first);
            Assert.Equal(LinksOff + KeyMissing, await stdout.Seen.Task);
            stop.Cancel();
            Assert.Equal(0, await serve);
        });
    }

    [Fact]
    public async Task Audit_lists_who_changed_what_and_json_carries_before_and_after()
    {
        Settings["DeadlineAlerts__Delivery__AllowHosts"] = "127.0.0.1";
        var first = Path.Combine(_dir, "a.json");
        var second = Path.Combine(_dir, "b.json");
        await System.IO.File.WriteAllTextAsync(first, File([Deadline("truce", "2025-08-12T00:01", title: "Truce")], [Subscriber("desk", "http://127.0.0.1:9/hook/tok-SECRET-42")]));
        await System.IO.File.WriteAllTextAsync(second, File([Deadline("truce", "2025-11-10T00:01", title: "Truce")], []));
        var output = new StringWriter();
        Assert.Equal(0, await RunAsync(["import", first, "--now", "2025-07-29T08:00:00Z"], output, new StringWriter(), CancellationToken.None));
        Assert.Equal(0, await RunAsync(["import", second, "--now", "2025-07-30T08:00:00Z"], output, new StringWriter(), CancellationToken.None));

        var text = new StringWriter();
        Assert.Equal(0, await RunAsync(["audit", "--deadline", "truce"], text, new StringWriter(), CancellationToken.None));
        var lines = text.ToString().Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Contains("import       updated    deadline truce: due: '2025-08-12T00:01:00' → '2025-11-10T00:01:00'", lines[0]);
        Assert.StartsWith("2025-07-30T08:00", lines[0]);
        Assert.Contains("created    deadline truce: created: title 'Truce'", lines[1]);

        var json = new StringWriter();
        Assert.Equal(0, await RunAsync(["audit", "--subscriber", "desk", "--json"], json, new StringWriter(), CancellationToken.None));
        Assert.DoesNotContain("tok-SECRET-42", json.ToString());
        using var doc = JsonDocument.Parse(json.ToString());
        var entry = Assert.Single(doc.RootElement.EnumerateArray());
        Assert.Equal("import", entry.GetProperty("actor").GetString());
        Assert.Equal("Subscriber desk", entry.GetProperty("after").GetProperty("name").GetString());

        Assert.Equal(2, await RunAsync(["audit", "--deadline", "a", "--subscriber", "b"], new StringWriter(), new StringWriter(), CancellationToken.None));
    }
}

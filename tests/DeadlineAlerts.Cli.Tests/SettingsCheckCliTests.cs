namespace DeadlineAlerts.Cli.Tests;

/// <summary>
/// `dla` checks every setting before a command runs, as the Functions host does with ValidateOnStart: a bad one
/// stops it with exit code 1 and a message naming the setting as typed, its value (never a secret) and what is
/// accepted; nothing runs, nothing listens.
/// </summary>
public sealed class SettingsCheckCliTests : DlaTestBase
{
    private const string Header = "Settings are not valid; nothing was started:";

    /// <summary>Runs <paramref name="body"/> with <paramref name="name"/> set as given.</summary>
    private async Task With(string name, string value, Func<Task> body)
    {
        Settings[name] = value;
        await body();
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    [Fact]
    public async Task Run_stops_at_start_on_a_negative_scan_period_naming_the_setting_and_its_value()
    {
        await With("DeadlineAlerts__ScanPeriod", "-00:01:00", async () =>
        {
            var run = await Dla("run", "--once", "--now", "2025-07-29T06:00:30Z");
            Assert.Equal(1, run.Code);
            Assert.Equal([Header, "  DeadlineAlerts__ScanPeriod is \"-00:01:00\"; give a positive duration as hh:mm:ss (or d.hh:mm:ss), such as 00:01:00"], Lines(run.Err));
            Assert.Equal("", run.Out); // no tick ran
        });
    }

    [Fact]
    public async Task Every_command_that_builds_services_checks_the_settings()
    {
        await With("DeadlineAlerts__MaxAttempts", "0", async () =>
        {
            var list = await Dla("deadlines");
            Assert.Equal(1, list.Code);
            Assert.Equal([Header, "  DeadlineAlerts__MaxAttempts is \"0\"; give a whole number of at least 1"], Lines(list.Err));
        });
    }

    [Fact]
    public async Task Serve_stops_at_start_on_a_malformed_unsubscribe_key_without_printing_it()
    {
        const string key = "c2hvcnQta2V5LXNlY3JldA=="; // "short-key-secret": 16 bytes
        await With("DeadlineAlerts__UnsubscribeKey", key, async () =>
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var code = await RunAsync(["serve", "--port", "0", "--no-run"], stdout, stderr, timeout.Token);
            Assert.False(timeout.IsCancellationRequested, "serve started instead of refusing");
            Assert.Equal(1, code);
            Assert.Equal([Header, "  DeadlineAlerts__UnsubscribeKey is (set, not shown); that holds 16 bytes: give base64 of at least 32 random bytes (openssl rand -base64 32), or unset it to send messages without links"],
                Lines(stderr.ToString()));
            Assert.DoesNotContain("Serving the API", stdout.ToString());
            Assert.DoesNotContain(key, stdout.ToString() + stderr);
            Assert.DoesNotContain("short-key-secret", stdout.ToString() + stderr);

            var run = await Dla("run", "--once");
            Assert.Equal(1, run.Code);
            Assert.DoesNotContain(key, run.Out + run.Err);
        });
    }
}

using DeadlineAlerts.Testing;
using DeadlineAlerts.Testing.Processes;
using Xunit.Abstractions;
using static DeadlineAlerts.Cli.Tests.Faults.FaultSupport;

namespace DeadlineAlerts.Cli.Tests.Faults;

/// <summary>
/// Storage goes away under a running host (<c>dla serve</c>, <c>dla run</c>) or is not there at all: the host stays
/// up, says so (health 503 "unhealthy", a log line without a stack trace), and when storage returns it finishes the
/// work, each alert once.
/// </summary>
[Trait("Category", "Fault")]
public sealed class StorageOutageTests(ITestOutputHelper log)
{
    private static readonly DateTimeOffset T = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact(Timeout = 150_000)]
    public async Task Azurite_stopped_mid_tick_and_started_again_serve_stays_up_reports_unhealthy_then_delivers_each_alert_once()
    {
        await using var azurite = await PrivateAzurite.StartAsync();
        // The receiver holds posts from the 21st on until Azurite is down: their outcomes must be recorded during the outage.
        using var receiver = new FaultReceiver { HangFrom = 21 };
        var settings = DlaProcess.LoopbackSettings();
        settings["DeadlineAlerts__ScanPeriod"] = "00:00:02"; // the loop retries within the test's time
        await using var dla = new DlaProcess(azurite.ConnectionString, settings);
        await dla.ImportAsync(Grid(receiver, subscribers: 10, deadlines: 10, fireAt: T), Iso(T.AddDays(-2)));
        var planned = AlertIds(await dla.PreviewAsync(Iso(T.AddDays(-2)), Iso(T)));
        Assert.True(planned.Count == 100, $"setup: expected 100 planned alerts, preview shows {planned.Count}");

        var (serve, api) = await ServeAsync(dla, "--now", Iso(T));
        await WaitWhileRunning(receiver.WhenReceived(21), serve, TimeSpan.FromSeconds(45), "the receiver to get 21 posts from dla serve");
        await azurite.StopAsync();
        receiver.Release();

        var expect = new Expectations();
        var down = await PollHealthAsync(api, h => h.Status == 503, TimeSpan.FromSeconds(20));
        await Task.Delay(TimeSpan.FromSeconds(4)); // two scan periods with storage down
        log.WriteLine($"while down: {receiver.Count} posts, {receiver.CountsById().Count} distinct; health {down.Status} {down.Body}");
        expect.That(!serve.HasExited, $"dla serve should keep running while storage is down (two scan periods); it exited with code {(serve.HasExited ? serve.ExitCode : 0)}");
        expect.That(down.Status == 503 && (string?)down.Json?["status"] == "unhealthy",
            $"GET /api/health should answer 503 with \"status\": \"unhealthy\" while Azurite is stopped; it answered {down.Status}: {down.Body}");

        await azurite.StartAgainAsync();
        // Deliveries claimed when storage went away keep their lease (SendLease, 2 min by default) and their queue
        // message stays invisible as long: the sweep queues them again once it has run out, so allow that long.
        var allArrived = await receiver.WaitUntilAsync(r => planned.All(r.CountsById().ContainsKey), TimeSpan.FromSeconds(170));
        var up = await PollHealthAsync(api, h => h.Status == 200, TimeSpan.FromSeconds(allArrived ? 20 : 5));
        await Task.Delay(TimeSpan.FromSeconds(2)); // a late duplicate would show now
        expect.That(!serve.HasExited, "dla serve should still be running after storage came back");
        expect.Add(ExactlyOnce(planned, receiver, "after Azurite came back"));
        expect.That(up.Status == 200, $"GET /api/health should answer 200 once Azurite is back; it answered {up.Status}: {up.Body}");
        expect.That(StackTraceLines(serve.Output).ToList() is { Count: 0 }, $"dla serve should log storage failures without stack traces; it printed {Sample(StackTraceLines(serve.Output), 3)}");
        expect.Verify($"dla serve:\n{serve.Tail(3000)}");
    }

    public static TheoryData<string> Hosts => new() { "run", "serve" };

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Hosts))]
    public async Task A_host_whose_storage_is_unreachable_keeps_running_logs_it_and_stops_on_sigint(string command)
    {
        var closed = LoopbackReceiver.FreePort(); // nothing listens there
        var storage = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
                      "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
                      $"BlobEndpoint=http://127.0.0.1:{closed}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{closed}/devstoreaccount1;" +
                      $"TableEndpoint=http://127.0.0.1:{closed}/devstoreaccount1;";
        var settings = DlaProcess.LoopbackSettings();
        settings["DeadlineAlerts__ScanPeriod"] = "00:00:01";
        await using var dla = new DlaProcess(storage, settings) { ResetOnDispose = false }; // nothing was ever stored
        var host = command == "run" ? dla.Start("run", "--now", Iso(T)) : dla.Start("serve", "--port", "0", "--now", Iso(T));

        var expect = new Expectations();
        // The storage SDK retries for a while before a call fails: first the failure must be logged, then the host
        // must outlive it by three scan periods (a host that gives up would exit here).
        string? failure = null;
        try { failure = await host.WaitForLineAsync(l => l.Contains("storage", StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(40), "a line mentioning storage"); }
        catch (TimeoutException) { }
        expect.That(failure is not null, $"dla {command} should log that storage is unreachable (a line mentioning \"storage\") within 40 s");
        await Task.Delay(TimeSpan.FromSeconds(3.5)); // three scan periods after the failure
        expect.That(!host.HasExited,
            $"dla {command} should still run three scan periods after logging the storage failure; it exited with code {(host.HasExited ? host.ExitCode : 0)}");
        if (!host.HasExited && command == "serve")
        {
            if (Text.Between(host.Output, "Serving the API on ", "\n") is { } url)
            {
                var health = await HealthAsync(url.Trim().Split(' ')[0]);
                expect.That(health.Status == 503 && (string?)health.Json?["status"] == "unhealthy",
                    $"GET /api/health should answer 503 \"unhealthy\" while storage is unreachable; it answered {health.Status}: {health.Body}");
            }
            else expect.That(false, "dla serve should print \"Serving the API on URL\" even while storage is unreachable, so that /api/health can say so");
        }
        expect.That(StackTraceLines(host.Output).ToList() is { Count: 0 }, $"dla {command} should log the failure without a stack trace; it printed {Sample(StackTraceLines(host.Output), 3)}");

        if (!host.HasExited)
        {
            host.Signal(Signals.SigInt);
            try
            {
                var result = await host.WaitForExitAsync(TimeSpan.FromSeconds(15));
                expect.That(result.ExitCode == 0, $"dla {command} should exit 0 on SIGINT; it exited {result.ExitCode}");
            }
            catch (TimeoutException) { expect.That(false, $"dla {command} should exit within 15 s of SIGINT; it was killed"); }
        }
        expect.Verify($"dla {command}:\n{host.Tail(3000)}");
    }

    private static class Text
    {
        public static string? Between(string s, string start, string end)
        {
            var i = s.IndexOf(start, StringComparison.Ordinal);
            if (i < 0) return null;
            i += start.Length;
            var j = s.IndexOf(end, i, StringComparison.Ordinal);
            return j < 0 ? s[i..] : s[i..j];
        }
    }
}

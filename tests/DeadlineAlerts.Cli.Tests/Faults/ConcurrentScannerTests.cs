using DeadlineAlerts.Testing.Processes;
using static DeadlineAlerts.Cli.Tests.Faults.FaultSupport;

namespace DeadlineAlerts.Cli.Tests.Faults;

/// <summary>Two <c>dla run --once</c> processes on one installation at once: each alert still arrives exactly once.</summary>
[Trait("Category", "Fault")]
public sealed class ConcurrentScannerTests
{
    private static readonly DateTimeOffset T = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact(Timeout = 120_000)]
    public async Task Two_scanners_started_together_at_the_same_now_send_each_alert_once()
    {
        using var receiver = new FaultReceiver { Delay = TimeSpan.FromMilliseconds(30) }; // keeps both runs' sends overlapping
        await using var dla = new DlaProcess(environment: DlaProcess.LoopbackSettings());
        await dla.ImportAsync(Grid(receiver, subscribers: 15, deadlines: 10, fireAt: T), Iso(T.AddDays(-2)));
        var planned = AlertIds(await dla.PreviewAsync(Iso(T.AddDays(-2)), Iso(T)));
        Assert.True(planned.Count == 150, $"setup: expected 150 planned alerts, preview shows {planned.Count}");

        var a = dla.Start("run", "--once", "--now", Iso(T));
        var b = dla.Start("run", "--once", "--now", Iso(T));
        var ra = await a.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var rb = await b.WaitForExitAsync(TimeSpan.FromSeconds(60));

        var expect = new Expectations();
        expect.That(ra.ExitCode == 0 && rb.ExitCode == 0, $"both runs should exit 0; they exited {ra.ExitCode} and {rb.ExitCode}");
        expect.Add(ExactlyOnce(planned, receiver, "two scanners at the same --now"));
        expect.Verify($"run A:\n{ra.Output}\nrun B:\n{rb.Output}");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_tick_that_overruns_the_next_one_sends_each_alert_once()
    {
        // The receiver holds the tick at T's posts from the 30th on until the tick at T+1min has run: they overlap for sure.
        using var receiver = new FaultReceiver { HangFrom = 30 };
        await using var dla = new DlaProcess(environment: DlaProcess.LoopbackSettings());
        // Deadlines 0-4 fire in (T-1min, T], deadlines 5-9 in (T, T+1min]: the second tick has its own alerts too.
        await dla.ImportAsync(Grid(receiver, subscribers: 15, deadlines: 10, fireAt: T,
            fireOf: k => k < 5 ? T.AddSeconds(-k) : T.AddSeconds(20 + k)), Iso(T.AddDays(-2)));
        var planned = AlertIds(await dla.PreviewAsync(Iso(T.AddDays(-2)), Iso(T.AddMinutes(1))));
        var firstWindow = AlertIds(await dla.PreviewAsync(Iso(T.AddDays(-2)), Iso(T)));
        Assert.True(planned.Count == 150 && firstWindow.Count == 75,
            $"setup: expected 150 alerts up to T+1min, 75 of them by T; preview shows {planned.Count} and {firstWindow.Count}");

        var first = dla.Start("run", "--once", "--now", Iso(T));
        await WaitWhileRunning(receiver.WhenReceived(30), first, TimeSpan.FromSeconds(45), "the tick at T to be sending its 30th post");
        var second = dla.Start("run", "--once", "--now", Iso(T.AddMinutes(1)));
        await WaitWhileRunning(second.WaitForTextAsync("Tick (", TimeSpan.FromSeconds(45)), second, TimeSpan.FromSeconds(45), "the tick at T+1min");
        var overlapped = !first.HasExited;
        receiver.Release();
        var r1 = await first.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var r2 = await second.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(overlapped, $"setup: the run at T should still have been delivering when the tick at T+1min completed; it had finished.\n{r1.Output}");
        var expect = new Expectations();
        expect.That(r1.ExitCode == 0 && r2.ExitCode == 0, $"both runs should exit 0; they exited {r1.ExitCode} and {r2.ExitCode}");
        expect.Add(ExactlyOnce(planned, receiver, "a tick at T overlapping one at T+1min"));
        expect.Verify($"run at T:\n{r1.Output}\nrun at T+1min:\n{r2.Output}");
    }
}

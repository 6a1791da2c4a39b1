using DeadlineAlerts.Testing.Processes;
using Xunit.Abstractions;
using static DeadlineAlerts.Cli.Tests.Faults.FaultSupport;

namespace DeadlineAlerts.Cli.Tests.Faults;

/// <summary>
/// <c>dla run --once</c> as a real process, SIGKILLed at three moments of one tick of 300 alerts (30 subscribers ×
/// 10 deadlines, one alert each, all in one window); then two reruns with <c>--now</c> 10 and 20 minutes later
/// (past the 2-minute SendLease) must deliver everything the killed run left, and send again only what was in
/// flight when it died.
/// </summary>
[Trait("Category", "Fault")]
public sealed class KilledDeliveryTests(ITestOutputHelper log)
{
    public enum KillPoint
    {
        /// <summary>As soon as stdout shows the tick line ("Tick ("): planned and queued, (nearly) nothing sent.</summary>
        AtTickLine,
        /// <summary>The receiver holds the 25th post (and every later one) unanswered; killed when the 25th arrives.</summary>
        DuringSend,
        /// <summary>The receiver answered 25 posts and holds the rest; killed right after the 25th answer.</summary>
        AfterAnswer,
    }

    private static readonly DateTimeOffset T = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    [Theory(Timeout = 150_000)]
    [InlineData(KillPoint.AtTickLine)]
    [InlineData(KillPoint.DuringSend)]
    [InlineData(KillPoint.AfterAnswer)]
    public async Task A_killed_run_loses_nothing_and_resends_only_what_was_in_flight(KillPoint kill)
    {
        using var receiver = new FaultReceiver();
        await using var dla = new DlaProcess(environment: DlaProcess.LoopbackSettings());
        await dla.ImportAsync(Grid(receiver, subscribers: 30, deadlines: 10, fireAt: T), Iso(T.AddDays(-2)));
        var planned = AlertIds(await dla.PreviewAsync(Iso(T.AddDays(-2)), Iso(T)));
        Assert.True(planned.Count == 300, $"setup: expected 300 distinct planned alerts in the window, preview shows {planned.Count}");

        if (kill == KillPoint.DuringSend) receiver.HangFrom = 25;
        if (kill == KillPoint.AfterAnswer) receiver.HangFrom = 26;
        var killed = dla.Start("run", "--once", "--now", Iso(T));
        var timeout = TimeSpan.FromSeconds(45);
        switch (kill)
        {
            case KillPoint.AtTickLine: await killed.WaitForTextAsync("Tick (", timeout); break;
            case KillPoint.DuringSend: await WaitWhileRunning(receiver.WhenReceived(25), killed, timeout, "the receiver to get its 25th post"); break;
            case KillPoint.AfterAnswer: await WaitWhileRunning(receiver.WhenAnswered(25), killed, timeout, "the receiver to answer its 25th post"); break;
        }
        killed.Kill();
        var killedOutput = killed.Tail(1500);
        // Requests the dead process had already put on the wire still reach the receiver's handler a moment later;
        // nothing new can be sent once it is dead, so what has arrived after a short settle is what was in flight.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var beforeKill = receiver.Requests.Select(r => r.WebhookId ?? "").ToHashSet(StringComparer.Ordinal);
        receiver.Release();

        var rerun10 = await dla.RunAsync("run", "--once", "--now", Iso(T.AddMinutes(10)));
        var rerun20 = await dla.RunAsync("run", "--once", "--now", Iso(T.AddMinutes(20)));
        var ledger = await dla.AlertsAsync();

        log.WriteLine($"kill {kill}: {beforeKill.Count} posts reached the receiver before the kill; {receiver.Count} posts in all, {receiver.CountsById().Count} distinct");
        log.WriteLine($"statuses: {string.Join(", ", ledger.GroupBy(e => (string?)e!["status"]).Select(g => $"{g.Key}={g.Count()}"))}");
        var expect = new Expectations();
        expect.That(rerun10.ExitCode == 0, $"the rerun at T+10min should exit 0, it exited {rerun10.ExitCode}");
        expect.That(rerun20.ExitCode == 0, $"the rerun at T+20min should exit 0, it exited {rerun20.ExitCode}");

        var counts = receiver.CountsById();
        var missing = planned.Where(id => !counts.ContainsKey(id)).ToList();
        expect.That(missing.Count == 0,
            $"after the kill ({kill}) and two reruns, every one of the 300 planned alerts should have arrived; missing {Sample(missing)}");
        var extra = counts.Keys.Where(id => !planned.Contains(id)).ToList();
        expect.That(extra.Count == 0, $"only planned alert ids should arrive; also arrived {Sample(extra)}");
        var repeated = counts.Where(c => c.Value > 1).Select(c => c.Key).ToList();
        var repeatedNotInFlight = repeated.Where(id => !beforeKill.Contains(id)).ToList();
        expect.That(repeatedNotInFlight.Count == 0,
            $"only alerts in flight at the kill may arrive twice; these had not reached the receiver before the kill yet arrived more than once: {Sample(repeatedNotInFlight)}");
        expect.That(repeated.Count <= DefaultInFlight,
            $"at most the deliveries of the messages in hand (MessageConcurrency × 50 = {DefaultInFlight}) can be sent but unrecorded at a kill, so at most that many may arrive twice; {Sample(repeated.Select(id => $"{id}×{counts[id]}"))} did " +
            $"({beforeKill.Count} had reached the receiver before the kill)");
        expect.That(counts.Values.All(c => c <= 2), $"no alert should arrive more than twice: {Sample(counts.Where(c => c.Value > 2).Select(c => $"{c.Key}×{c.Value}"))}");

        var open = ledger.Where(e => (string?)e!["status"] is "planned" or "sending" or "retrying")
            .Select(e => $"{(string?)e!["alertId"]}={(string?)e["status"]}").ToList();
        expect.That(open.Count == 0, $"`dla alerts --json` should show no row planned, sending or retrying after the reruns; {Sample(open)}");
        var delivered = ledger.Where(e => (string?)e!["status"] == "delivered").Select(e => (string)e!["alertId"]!).ToHashSet();
        var notDelivered = planned.Where(id => !delivered.Contains(id)).ToList();
        expect.That(notDelivered.Count == 0, $"`dla alerts --json` should show every planned alert delivered; not delivered {Sample(notDelivered)}");

        expect.Verify($"killed run (tail):\n{killedOutput}\n\nrerun at T+10min:\n{Trim(rerun10.Output)}\n\nrerun at T+20min:\n{Trim(rerun20.Output)}");
    }

    private static string Trim(string s) => s.Length <= 1500 ? s : s[..1500] + "…";
}

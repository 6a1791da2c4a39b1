using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using NodaTime;

namespace DeadlineAlerts.Bench;

public static class Phases
{
    /// <summary>The app's settings for the delivery run: loopback allowed, per-host pacing lifted, quick retries.</summary>
    public static readonly Dictionary<string, string?> DeliverySettings = new()
    {
        ["DeadlineAlerts:Delivery:AllowHosts"] = "127.0.0.1",
        ["DeadlineAlerts:Delivery:PerHostPerSecond"] = "1000000",
        ["DeadlineAlerts:RetryBaseDelay"] = "00:00:01",
        ["DeadlineAlerts:MaxRetryDelay"] = "00:00:05",
    };

    private static readonly Instant T0 = Instant.FromUtc(2030, 1, 15, 12, 0);
    private static readonly Duration Window = Duration.FromMinutes(1);

    public static async Task WarmUpAsync(string storage, BenchOptions o, CancellationToken ct)
    {
        Console.WriteLine("warm-up: one small tick run, not reported");
        await using var app = await AppUnderTest.CreateAsync(storage, T0, ct: ct);
        const int windows = 8; // enough calls for the tiered JIT to settle on optimised code
        await app.SeedTickScenarioAsync(o.DuePerWindow * windows, o.TickSubscribers, o.DuePerWindow, windows, Window, T0, o.SeedParallelism, ct);
        for (var w = 0; w < windows; w++)
        {
            app.Clock.Set(T0 + Window * (w + 1));
            await app.TickAsync(ct);
        }
    }

    public static async Task<TickResultRow> TickCostAsync(string storage, int deadlines, BenchOptions o, CancellationToken outer)
    {
        using var phase = CancellationTokenSource.CreateLinkedTokenSource(outer);
        phase.CancelAfter(o.PhaseLimit);
        var ct = phase.Token;
        Console.WriteLine($"tick: {deadlines:N0} deadlines, {o.DuePerWindow} due per window, {o.Windows} windows: seeding...");
        await using var app = await AppUnderTest.CreateAsync(storage, T0, ct: ct);
        var seed = Stopwatch.StartNew();
        try
        {
            await app.SeedTickScenarioAsync(deadlines, o.TickSubscribers, o.DuePerWindow, o.Windows, Window, T0, o.SeedParallelism, ct);
        }
        catch (OperationCanceledException) when (phase.IsCancellationRequested && !outer.IsCancellationRequested)
        {
            throw new BenchException($"seeding {deadlines:N0} deadlines did not finish within {o.PhaseLimit.TotalMinutes:0} min");
        }
        seed.Stop();
        var seedRequests = app.Requests;
        var row = new TickResultRow { LoadAverage = MachineFacts.LoadAverage(), Deadlines = deadlines, DuePerWindow = o.DuePerWindow, SeedSeconds = seed.Elapsed.TotalSeconds, SeedRequests = seedRequests };
        for (var w = 0; w < o.Windows; w++)
        {
            app.Clock.Set(T0 + Window * (w + 1));
            var m = await app.TickAsync(ct);
            row.Windows.Add(m);
            if (m.Planned != o.DuePerWindow)
                Console.Error.WriteLine($"  warning: window {w} planned {m.Planned} alerts, expected {o.DuePerWindow}");
        }
        Console.WriteLine($"  seeded in {row.SeedSeconds:0.0} s ({seedRequests:N0} requests); ticks: " +
                          string.Join(", ", row.Windows.Select(m => $"{m.Requests} req / {m.Milliseconds:0} ms / {m.Planned} planned")));
        return row;
    }

    public static async Task<DeliveryResult> DeliveryAsync(string storage, BenchOptions o, CancellationToken outer, Process? azurite = null)
    {
        using var phase = CancellationTokenSource.CreateLinkedTokenSource(outer);
        phase.CancelAfter(o.PhaseLimit);
        var ct = phase.Token;
        var expected = o.DeliveryAlerts;
        Console.WriteLine($"delivery: {o.Subscribers} subscribers x {o.DeadlinesPerSubscriber} deadlines = {expected:N0} alerts to one loopback receiver");
        await using var receiver = await Receiver.StartAsync(Receiver.Mode.WebhookId);
        await using var app = await AppUnderTest.CreateAsync(storage, T0, DeliverySettings, ct);
        var r = new DeliveryResult { Expected = expected };

        var sw = Stopwatch.StartNew();
        r.Scheduled = await app.ImportDeliveryScenarioAsync(o.Subscribers, o.DeadlinesPerSubscriber, receiver.BaseUrl, ct);
        r.ImportSeconds = sw.Elapsed.TotalSeconds;
        r.ImportRequests = app.Requests;

        app.Clock.Set(T0 + Window);
        var tick = await app.TickAsync(ct);
        r.TickRequests = tick.Requests;
        r.TickMilliseconds = tick.Milliseconds;
        r.Planned = tick.Planned;
        Console.WriteLine($"  imported in {r.ImportSeconds:0.0} s ({r.Scheduled:N0} alerts scheduled); tick planned {tick.Planned:N0}, " +
                          $"{tick.Requests:N0} requests, {tick.Milliseconds:0} ms; draining...");

        var before = app.Requests;
        var (storageCpu, appCpu) = (ChildProcesses.Cpu(azurite), ChildProcesses.Cpu(Process.GetCurrentProcess()));
        var start = Stopwatch.GetTimestamp();
        try
        {
            r.Statuses = await app.DrainAsync(o.PhaseLimit, ct);
        }
        catch (OperationCanceledException) when (phase.IsCancellationRequested && !outer.IsCancellationRequested)
        {
            r.TimedOut = true;
            Console.Error.WriteLine($"  delivery did not finish within {o.PhaseLimit.TotalMinutes:0} min; reporting what arrived");
        }
        // The runner stops quietly when its token is cancelled: tell a timeout from a finished drain.
        if (phase.IsCancellationRequested)
        {
            outer.ThrowIfCancellationRequested();
            if (!r.TimedOut) Console.Error.WriteLine($"  delivery did not finish within {o.PhaseLimit.TotalMinutes:0} min; reporting what arrived");
            r.TimedOut = true;
        }
        var drained = Stopwatch.GetTimestamp();
        r.StorageCpuSeconds = (ChildProcesses.Cpu(azurite) - storageCpu).TotalSeconds;
        r.AppCpuSeconds = (ChildProcesses.Cpu(Process.GetCurrentProcess()) - appCpu).TotalSeconds;
        r.DeliveryRequests = app.Requests - before;
        // Anything still in flight (a duplicate would show up here) gets a moment to arrive.
        await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
        var end = receiver.LastNewAt > 0 ? receiver.LastNewAt : drained;
        r.Seconds = Stopwatch.GetElapsedTime(start, end).TotalSeconds;
        r.DrainSeconds = Stopwatch.GetElapsedTime(start, drained).TotalSeconds;
        r.Received = receiver.Alerts;
        r.Distinct = receiver.Distinct;
        r.Duplicates = receiver.Duplicates;
        r.Missing = Math.Max(0, expected - receiver.Distinct);
        r.Extra = Math.Max(0, receiver.Distinct - expected);
        r.RequestsWithoutId = receiver.MissingHeader;
        try { (r.QueueLeft, r.PoisonLeft) = await app.QueueDepthAsync(outer); } catch { /* informational */ }
        Console.WriteLine($"  {r.Distinct:N0} distinct webhook-ids in {r.Seconds:0.00} s = {r.AlertsPerSecond:0} alerts/s; " +
                          $"duplicates {r.Duplicates}, missing {r.Missing}; {r.DeliveryRequests:N0} storage requests for delivery");
        return r;
    }

    public static async Task<AlertmanagerResult> AlertmanagerAsync(string temp, BenchOptions o, CancellationToken outer)
    {
        using var phase = CancellationTokenSource.CreateLinkedTokenSource(outer);
        phase.CancelAfter(o.PhaseLimit);
        var ct = phase.Token;
        var expected = o.DeliveryAlerts;
        await using var receiver = await Receiver.StartAsync(Receiver.Mode.AlertmanagerLabel);
        var am = new Alertmanager();
        await am.StartAsync(temp, receiver.BaseUrl, o.AlertmanagerGroupWait, ct);
        Console.WriteLine($"alertmanager: {am.Version} on {am.Url}; posting {expected:N0} alerts in batches of {o.AlertmanagerBatch} (group_by ['...'], group_wait {o.AlertmanagerGroupWait})");
        var r = new AlertmanagerResult { Expected = expected, Version = am.Version, GroupWait = o.AlertmanagerGroupWait };
        var reached = receiver.Expect(expected);
        var (amCpu, benchCpu) = (ChildProcesses.Cpu(am.Process), ChildProcesses.Cpu(Process.GetCurrentProcess()));
        var first = await am.PostAlertsAsync(expected, o.AlertmanagerBatch, ct);
        r.PostSeconds = Stopwatch.GetElapsedTime(first).TotalSeconds;
        try
        {
            await reached.WaitAsync(ct);
        }
        catch (OperationCanceledException) when (phase.IsCancellationRequested && !outer.IsCancellationRequested)
        {
            r.TimedOut = true;
            Console.Error.WriteLine($"  Alertmanager did not deliver {expected:N0} alerts within {o.PhaseLimit.TotalMinutes:0} min; reporting what arrived");
        }
        await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
        r.Seconds = Stopwatch.GetElapsedTime(first, receiver.LastNewAt > 0 ? receiver.LastNewAt : Stopwatch.GetTimestamp()).TotalSeconds;
        r.AlertmanagerCpuSeconds = (ChildProcesses.Cpu(am.Process) - amCpu).TotalSeconds;
        r.BenchCpuSeconds = (ChildProcesses.Cpu(Process.GetCurrentProcess()) - benchCpu).TotalSeconds;
        r.Requests = receiver.Requests;
        r.Received = receiver.Alerts;
        r.Distinct = receiver.Distinct;
        r.Duplicates = receiver.Duplicates;
        r.Missing = Math.Max(0, expected - receiver.Distinct);
        Console.WriteLine($"  {r.Distinct:N0} distinct alerts in {r.Seconds:0.00} s = {r.AlertsPerSecond:0} alerts/s ({r.Requests:N0} webhook posts; posting took {r.PostSeconds:0.00} s)");
        return r;
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using DeadlineAlerts.Bench;
using NodaTime;

// The benchmark: tick cost at 1k/10k/100k deadlines, delivery throughput and exactly-once at a loopback
// receiver, and Alertmanager on the same machine as the yardstick. See bench/README.md. Run ./bench/run.sh.

var options = BenchOptions.Parse(args);
var repoRoot = BenchOptions.FindRepoRoot();
var temp = Directory.CreateTempSubdirectory("dla-bench-").FullName;
using var cts = new CancellationTokenSource(options.TimeLimit);
var ct = cts.Token;

// Ctrl-C / SIGTERM: cancel, let the finally blocks stop what was started.
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; Console.Error.WriteLine("interrupted; cleaning up"); cts.Cancel(); });
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cts.Cancel(); });
AppDomain.CurrentDomain.ProcessExit += (_, _) => ChildProcesses.StopAll();
// A last resort if something ignores cancellation: stop the children and exit.
using var watchdog = new Timer(_ =>
{
    Console.Error.WriteLine($"bench: gave up after {options.TimeLimit.TotalSeconds + 30:0} s (time limit {options.TimeLimit.TotalSeconds:0} s, BENCH_TIME_LIMIT); stopping.");
    ChildProcesses.StopAll();
    Environment.Exit(3);
}, null, options.TimeLimit + TimeSpan.FromSeconds(30), Timeout.InfiniteTimeSpan);

var report = new Report { Machine = MachineFacts.Collect(repoRoot), Settings = options.Describe() };
var exit = 0;
try
{
    var azurite = new Azurite(options.AzuritePort, options.AzuritePort + 1, options.AzuritePort + 2);
    Console.WriteLine($"bench: Azurite on 127.0.0.1:{azurite.BlobPort}-{azurite.TablePort} (in memory); temp dir {temp}");
    await azurite.StartAsync(repoRoot, temp, ct);
    report.Machine["azurite"] = azurite.Version;

    // One unreported tick run first, so that JIT and connection set-up are not charged to the smallest size.
    await Phases.WarmUpAsync(azurite.ConnectionString, options, ct);
    foreach (var n in options.Sizes)
        report.Ticks.Add(await Phases.TickCostAsync(azurite.ConnectionString, n, options, ct));

    report.Delivery = await Phases.DeliveryAsync(azurite.ConnectionString, options, ct, azurite.Process);

    if (options.Alertmanager)
    {
        report.Alertmanager = await Phases.AlertmanagerAsync(temp, options, ct);
        report.Machine["alertmanager"] = report.Alertmanager.Version;
    }
    report.Finish();
    report.Print();
    // Only the full default run replaces the committed figures; --quick and other knobs write beside them.
    var path = Path.Combine(repoRoot, "bench", "results", options.IsDefault ? "latest.json" : "latest-custom.json");
    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
    File.WriteAllText(path, report.Json());
    Console.WriteLine($"\nwritten: {Path.GetRelativePath(Environment.CurrentDirectory, path)}");
}
catch (OperationCanceledException) when (cts.IsCancellationRequested)
{
    Console.Error.WriteLine($"bench: stopped: the time limit of {options.TimeLimit.TotalSeconds:0} s passed (or it was interrupted) before every phase finished. Set BENCH_TIME_LIMIT=seconds for a slower machine.");
    exit = 2;
}
catch (BenchException e)
{
    Console.Error.WriteLine($"bench: {e.Message}");
    exit = 1;
}
finally
{
    ChildProcesses.StopAll();
    try { Directory.Delete(temp, recursive: true); } catch { /* best effort */ }
}
return exit;

public sealed class BenchOptions
{
    public int[] Sizes { get; set; } = [1_000, 10_000, 100_000];
    public int DuePerWindow { get; set; } = 100;
    public int Windows { get; set; } = 5;
    public int TickSubscribers { get; set; } = 100;
    public int SeedParallelism { get; set; } = 4;
    public int Subscribers { get; set; } = 50;
    public int DeadlinesPerSubscriber { get; set; } = 100;
    public int AlertmanagerBatch { get; set; } = 500;
    public string AlertmanagerGroupWait { get; set; } = "0s";
    public bool Alertmanager { get; set; } = true;
    public int AzuritePort { get; set; } = 10200;
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromMinutes(15);
    public TimeSpan PhaseLimit { get; set; } = TimeSpan.FromMinutes(4);
    public int DeliveryAlerts => Subscribers * DeadlinesPerSubscriber;
    public bool IsDefault { get; private set; } = true;

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        if (Environment.GetEnvironmentVariable("BENCH_AZURITE_PORT") is { Length: > 0 } p) o.AzuritePort = int.Parse(p);
        if (Environment.GetEnvironmentVariable("BENCH_TIME_LIMIT") is { Length: > 0 } t) o.TimeLimit = TimeSpan.FromSeconds(int.Parse(t));
        o.IsDefault = args.Length == 0;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--sizes": o.Sizes = Next().Split(',').Select(int.Parse).ToArray(); break;
                case "--due": o.DuePerWindow = int.Parse(Next()); break;
                case "--subscribers": o.Subscribers = int.Parse(Next()); break;
                case "--deadlines-per-subscriber": o.DeadlinesPerSubscriber = int.Parse(Next()); break;
                case "--group-wait": o.AlertmanagerGroupWait = Next(); break;
                case "--no-alertmanager": o.Alertmanager = false; break;
                case "--quick": o.Sizes = [1_000, 10_000]; o.Subscribers = 10; break;
                case "-h" or "--help":
                    Console.WriteLine("usage: bench/run.sh [--sizes 1000,10000,100000] [--due 100] [--subscribers 50] [--deadlines-per-subscriber 100] [--group-wait 0s] [--no-alertmanager] [--quick]\n" +
                                      "env: BENCH_AZURITE_PORT (first of three, default 10200), BENCH_TIME_LIMIT (seconds, default 900)");
                    Environment.Exit(0);
                    break;
                default: throw new ArgumentException($"unknown option {args[i]} (try --help)");
            }
        }
        return o;
    }

    public Dictionary<string, object> Describe() => new()
    {
        ["tickSizes"] = Sizes,
        ["tickDueAlertsPerWindow"] = DuePerWindow,
        ["tickWindowsPerSize"] = Windows,
        ["tickSubscribers"] = TickSubscribers,
        ["deliverySubscribers"] = Subscribers,
        ["deliveryDeadlinesPerSubscriber"] = DeadlinesPerSubscriber,
        ["deliveryAlerts"] = DeliveryAlerts,
        ["appSettings"] = Phases.DeliverySettings,
        ["alertmanagerBatch"] = AlertmanagerBatch,
        ["alertmanagerGroupWait"] = AlertmanagerGroupWait,
        ["azuritePorts"] = $"{AzuritePort}-{AzuritePort + 2}",
    };

    public static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "DeadlineAlerts.sln"))) return d.FullName;
        for (var d = new DirectoryInfo(Environment.CurrentDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "DeadlineAlerts.sln"))) return d.FullName;
        throw new BenchException("cannot find the repository root (DeadlineAlerts.sln) above the bench or the current directory");
    }
}

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

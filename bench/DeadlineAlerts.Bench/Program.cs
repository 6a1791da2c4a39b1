using System.Diagnostics;
using System.Globalization;
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

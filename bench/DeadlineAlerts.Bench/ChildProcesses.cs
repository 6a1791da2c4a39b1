using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace DeadlineAlerts.Bench;

/// <summary>
/// The processes the bench starts (Azurite, Alertmanager). Each is stopped by its own id (SIGTERM, then SIGKILL
/// after a grace period) when the bench ends, however it ends: normally, on an error, on Ctrl-C/SIGTERM or when
/// the overall time limit fires.
/// </summary>
public static class ChildProcesses
{
    private static readonly List<(string Name, Process Process)> Started = [];
    private static readonly object Gate = new();

    public static Process Start(string name, string fileName, IEnumerable<string> args, string logPath, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {name}");
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        lock (Gate) Started.Add((name, p));
        return p;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    /// <summary>Stops every process this bench started, newest first. Safe to call more than once.</summary>
    public static void StopAll()
    {
        List<(string Name, Process Process)> list;
        lock (Gate) { list = Started.AsEnumerable().Reverse().ToList(); Started.Clear(); }
        foreach (var (name, p) in list)
        {
            try
            {
                if (p.HasExited) continue;
                _ = kill(p.Id, 15); // SIGTERM: both close cleanly on it
                if (!p.WaitForExit(10_000))
                {
                    Console.Error.WriteLine($"  {name} (pid {p.Id}) still running 10 s after SIGTERM (idle keep-alive connections); killed");
                    p.Kill(entireProcessTree: true);
                    p.WaitForExit(5000);
                }
            }
            catch (Exception e) { Console.Error.WriteLine($"  stopping {name} failed: {e.Message}"); }
        }
    }

    public static bool PortAnswers(int port)
    {
        try
        {
            using var c = new TcpClient();
            c.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException) { return false; }
    }

    /// <summary>A port on 127.0.0.1 that was free a moment ago (for Alertmanager, which cannot be told to pick one).</summary>
    public static int FreeLoopbackPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public static async Task WaitUntilAsync(string what, Func<Task<bool>> ready, Process p, string logPath, TimeSpan limit, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < limit)
        {
            if (p.HasExited)
                throw new BenchException($"{what} exited with code {p.ExitCode} while starting; its log ({logPath}):\n{Tail(logPath)}");
            if (await ready()) return;
            await Task.Delay(100, ct);
        }
        throw new BenchException($"{what} did not become ready within {limit.TotalSeconds:0} s; its log ({logPath}):\n{Tail(logPath)}");
    }

    /// <summary>CPU time a process has used so far (user + system), zero when it cannot be read.</summary>
    public static TimeSpan Cpu(Process? p)
    {
        if (p is null) return TimeSpan.Zero;
        try { p.Refresh(); return p.TotalProcessorTime; }
        catch (Exception) { return TimeSpan.Zero; }
    }

    public static string Tail(string path, int lines = 20)
    {
        try { return string.Join('\n', File.ReadLines(path).TakeLast(lines)); }
        catch { return "(no log)"; }
    }
}

/// <summary>A failure the bench explains in one message (no stack trace needed).</summary>
public sealed class BenchException(string message) : Exception(message);

/// <summary>The bench's own Azurite: in memory, on 127.0.0.1, on ports no other run uses.</summary>
public sealed class Azurite
{
    public int BlobPort { get; }
    public int QueuePort { get; }
    public int TablePort { get; }
    public string Version { get; private set; } = "?";
    /// <summary>The Azurite process (node), for its CPU time.</summary>
    public Process? Process { get; private set; }

    public Azurite(int blobPort, int queuePort, int tablePort) => (BlobPort, QueuePort, TablePort) = (blobPort, queuePort, tablePort);

    public string ConnectionString =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    public async Task StartAsync(string repoRoot, string tempDir, CancellationToken ct)
    {
        var bin = Path.Combine(repoRoot, "node_modules", ".bin", "azurite");
        if (!File.Exists(bin))
            throw new BenchException($"{bin} is missing: run `npm ci` at the repository root (bench/run.sh does it).");
        foreach (var port in new[] { BlobPort, QueuePort, TablePort })
            if (ChildProcesses.PortAnswers(port))
                throw new BenchException($"port {port} is already in use; the bench starts its own Azurite. Pick other ports with BENCH_AZURITE_PORT=first-of-three.");
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(repoRoot, "node_modules", "azurite", "package.json")));
            Version = doc.RootElement.GetProperty("version").GetString() ?? "?";
        }
        catch { /* version is informational */ }
        var log = Path.Combine(tempDir, "azurite.log");
        // BENCH_AZURITE_CPU_PROF=DIR: run the emulator under node's CPU profiler (a .cpuprofile in DIR when it stops),
        // to see where the emulator's time goes; the figures of such a run are not comparable.
        var profileDir = Environment.GetEnvironmentVariable("BENCH_AZURITE_CPU_PROF");
        string[] prefix = string.IsNullOrEmpty(profileDir) ? []
            : ["--cpu-prof", "--cpu-prof-dir=" + profileDir, Path.Combine(repoRoot, "node_modules", "azurite", "dist", "src", "azurite.js")];
        var p = Process = ChildProcesses.Start("Azurite", prefix.Length == 0 ? bin : "node",
        [
            .. prefix,
            "--silent", "--skipApiVersionCheck", "--disableTelemetry", "--loose", "--inMemoryPersistence",
            "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", TablePort.ToString(CultureInfo.InvariantCulture),
        ], log, workingDirectory: tempDir);
        await ChildProcesses.WaitUntilAsync("Azurite", () => Task.FromResult(ChildProcesses.PortAnswers(QueuePort) && ChildProcesses.PortAnswers(TablePort)),
            p, log, TimeSpan.FromSeconds(30), ct);
    }
}

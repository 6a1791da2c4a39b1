using System.Text.Json.Nodes;

namespace DeadlineAlerts.Testing.Processes;

/// <summary>
/// One isolated installation driven through the built CLI as separate processes:
/// <c>dotnet dla.dll ARGS --storage CONN --table-prefix PREFIX</c>, with settings passed as environment variables
/// (<c>DeadlineAlerts__…</c>; any such variable of the test process is not inherited). Every process it started is
/// killed on dispose, and the installation is removed with <c>dla reset --yes</c>.
/// </summary>
public sealed class DlaProcess : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly List<ChildProcess> _started = [];

    public string Storage { get; }
    public string Prefix { get; }
    /// <summary>Environment of every process started from now on; keys in env form (<c>DeadlineAlerts__Delivery__AllowHosts</c>).</summary>
    public Dictionary<string, string?> Environment { get; }
    /// <summary>Run <c>dla reset --yes</c> on dispose (default); off for a storage that never answers.</summary>
    public bool ResetOnDispose { get; set; } = true;
    /// <summary>A scratch folder for import files, removed on dispose.</summary>
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("dla-fault-").FullName;

    /// <param name="storage">Connection string; default <see cref="TestInstallation.Storage"/> (the test Azurite).</param>
    public DlaProcess(string? storage = null, IDictionary<string, string?>? environment = null, string? prefix = null)
    {
        Storage = storage ?? TestInstallation.Storage;
        Prefix = prefix ?? "f" + Guid.NewGuid().ToString("N")[..12];
        Environment = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>())
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };
    }

    /// <summary>Settings for loopback receivers: 127.0.0.1 allowed, per-host pacing lifted.</summary>
    public static Dictionary<string, string?> LoopbackSettings(bool shortRetries = true)
    {
        var s = new Dictionary<string, string?>
        {
            ["DeadlineAlerts__Delivery__AllowHosts"] = "127.0.0.1",
            ["DeadlineAlerts__Delivery__PerHostPerSecond"] = "100000",
        };
        if (shortRetries)
        {
            s["DeadlineAlerts__RetryBaseDelay"] = "00:00:00.050";
            s["DeadlineAlerts__MaxRetryDelay"] = "00:00:00.200";
        }
        return s;
    }

    /// <summary>Starts <c>dla ARGS</c> (storage and prefix appended) and returns at once.</summary>
    public ChildProcess Start(params string[] args) => StartWith(null, args);

    /// <summary>Starts <c>dla ARGS</c> with extra environment for this process only.</summary>
    public ChildProcess StartWith(IDictionary<string, string?>? extraEnvironment, params string[] args)
    {
        var env = new Dictionary<string, string?>(Environment);
        foreach (var (k, v) in extraEnvironment ?? new Dictionary<string, string?>()) env[k] = v;
        var child = ChildProcess.Start(RepoPaths.DotnetHost,
            [RepoPaths.DlaDll, .. args, "--storage", Storage, "--table-prefix", Prefix],
            env, removeEnvironmentPrefixes: ["DeadlineAlerts__", "DeadlineAlerts:", "DEADLINEALERTS_TEST"], workingDirectory: Directory);
        lock (_started) _started.Add(child);
        return child;
    }

    /// <summary>Runs <c>dla ARGS</c> to its end (bounded by <paramref name="timeout"/>, default 60 s).</summary>
    public async Task<ProcessResult> RunAsync(string[] args, TimeSpan? timeout = null)
    {
        await using var child = Start(args);
        return await child.WaitForExitAsync(timeout ?? DefaultTimeout);
    }

    public Task<ProcessResult> RunAsync(params string[] args) => RunAsync(args, null);

    /// <summary>Runs <c>dla ARGS</c> and requires exit code 0.</summary>
    public async Task<ProcessResult> RunOkAsync(params string[] args)
    {
        var r = await RunAsync(args);
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"Expected `dla {string.Join(' ', args)}` to exit 0, it exited {r.ExitCode}.\n--- stdout ---\n{r.Stdout}\n--- stderr ---\n{r.Stderr}");
        return r;
    }

    public string WriteFile(string name, string text)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary><c>dla import</c> of an import file's JSON at <paramref name="now"/> (ISO instant).</summary>
    public Task<ProcessResult> ImportAsync(string json, string now) =>
        RunOkAsync("import", WriteFile(Guid.NewGuid().ToString("N") + ".json", json), "--now", now);

    /// <summary><c>dla preview --from --to --json</c>: the alerts that fire in (from, to].</summary>
    public async Task<JsonArray> PreviewAsync(string from, string to) =>
        JsonNode.Parse((await RunOkAsync("preview", "--from", from, "--to", to, "--json")).Stdout)!.AsArray();

    /// <summary><c>dla alerts --json</c>: the ledger.</summary>
    public async Task<JsonArray> AlertsAsync() =>
        JsonNode.Parse((await RunOkAsync("alerts", "--json")).Stdout)!.AsArray();

    public async ValueTask DisposeAsync()
    {
        List<ChildProcess> started;
        lock (_started) started = [.. _started];
        foreach (var c in started) await c.DisposeAsync();
        try { if (ResetOnDispose) await RunAsync(["reset", "--yes"], TimeSpan.FromSeconds(30)); }
        catch (Exception) { /* storage may be gone (a private Azurite already stopped): nothing left to clean */ }
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}

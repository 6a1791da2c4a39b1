using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace DeadlineAlerts.Testing.Processes;

/// <summary>
/// An Azurite of one test's own: free ports, data on disk in a temp folder (<c>--location</c>, not in memory) so
/// that it survives <see cref="StopAsync"/> and <see cref="StartAgainAsync"/> on the same ports. Started with the
/// flags test.sh uses (<c>--silent --skipApiVersionCheck --disableTelemetry --loose</c>). Disposing stops it and
/// removes its data.
/// </summary>
public sealed class PrivateAzurite : IAsyncDisposable
{
    private ChildProcess? _process;

    public int BlobPort { get; } = LoopbackReceiver.FreePort();
    public int QueuePort { get; } = LoopbackReceiver.FreePort();
    public int TablePort { get; } = LoopbackReceiver.FreePort();
    public string Location { get; } = Directory.CreateTempSubdirectory("azurite-fault-").FullName;

    public string ConnectionString =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    public bool Running => _process is { HasExited: false };

    /// <summary>What Azurite printed in its latest run (for messages).</summary>
    public string Output => _process?.Tail() ?? "(not started)";

    private PrivateAzurite() { }

    public static async Task<PrivateAzurite> StartAsync(TimeSpan? timeout = null)
    {
        var azurite = new PrivateAzurite();
        await azurite.StartAgainAsync(timeout);
        return azurite;
    }

    /// <summary>Starts Azurite (again) on the same ports and location; returns once the queue and table ports accept.</summary>
    public async Task StartAgainAsync(TimeSpan? timeout = null)
    {
        if (Running) throw new InvalidOperationException("Azurite is already running.");
        if (_process is not null) await _process.DisposeAsync();
        _process = ChildProcess.Start(RepoPaths.Azurite,
        [
            "--silent", "--skipApiVersionCheck", "--disableTelemetry", "--loose", "--location", Location,
            "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", TablePort.ToString(CultureInfo.InvariantCulture),
        ], workingDirectory: Location);
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < until)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode} while starting.\n{_process.Tail()}");
            if (await Accepts(QueuePort) && await Accepts(TablePort)) return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"Azurite did not accept on ports {QueuePort}/{TablePort} within the timeout.\n{_process.Tail()}");
    }

    /// <summary>Stops Azurite as azurite_stop does: SIGTERM (it saves and closes), SIGKILL if still there after <paramref name="grace"/> (10 s).</summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (_process is null || _process.HasExited) return;
        _process.Signal(Signals.SigTerm);
        try { await _process.WaitForExitAsync(grace ?? TimeSpan.FromSeconds(10)); }
        catch (TimeoutException) { /* WaitForExitAsync killed it */ }
    }

    /// <summary>SIGKILL: Azurite vanishes without saving.</summary>
    public void Kill() => _process?.Kill();

    private static async Task<bool> Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(IPAddress.Loopback, port, cts.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException) { return false; }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5));
        if (_process is not null) await _process.DisposeAsync();
        try { Directory.Delete(Location, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace DeadlineAlerts.Bench;

/// <summary>
/// Prometheus Alertmanager (Debian's <c>prometheus-alertmanager</c>) as the yardstick. Its defaults listen on
/// every interface (<c>:9093</c>, cluster gossip on <c>0.0.0.0:9094</c>) and keep state in
/// /var/lib/prometheus/alertmanager; the bench overrides all three: web on 127.0.0.1 and a free port,
/// clustering disabled (<c>--cluster.listen-address=</c>), storage and config in its own temp dir.
/// </summary>
public sealed class Alertmanager
{
    public const string Binary = "/usr/bin/prometheus-alertmanager";
    public int Port { get; private set; }
    public string Version { get; private set; } = "?";
    public string Url => $"http://127.0.0.1:{Port}";

    public static string ReadVersion()
    {
        try
        {
            var psi = new ProcessStartInfo(Binary, "--version") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            var text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit(5000);
            var first = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "?";
            return first.Replace("alertmanager, version ", "", StringComparison.Ordinal);
        }
        catch (Exception e) { return $"unknown ({e.GetType().Name})"; }
    }

    public async Task StartAsync(string tempDir, string receiverUrl, string groupWait, CancellationToken ct)
    {
        if (!File.Exists(Binary))
            throw new BenchException($"{Binary} is missing: apt-get update && apt-get install -y prometheus-alertmanager (bench/run.sh does it).");
        Version = ReadVersion();
        var dir = Path.Combine(tempDir, "alertmanager");
        Directory.CreateDirectory(Path.Combine(dir, "data"));
        var config = Path.Combine(dir, "alertmanager.yml");
        // group_by ['...']: every alert (distinct label set) is its own group, so its own notification.
        // group_interval/repeat_interval long: nothing is sent twice within the run.
        File.WriteAllText(config, $"""
            route:
              receiver: bench
              group_by: ['...']
              group_wait: {groupWait}
              group_interval: 5m
              repeat_interval: 24h
            receivers:
              - name: bench
                webhook_configs:
                  - url: {receiverUrl}/alertmanager
                    send_resolved: false
            """);
        Port = ChildProcesses.FreeLoopbackPort();
        var log = Path.Combine(dir, "alertmanager.log");
        var p = Process = ChildProcesses.Start("Alertmanager", Binary,
        [
            $"--config.file={config}",
            $"--storage.path={Path.Combine(dir, "data")}",
            $"--web.listen-address=127.0.0.1:{Port}",
            "--cluster.listen-address=",
            "--log.level=warn",
        ], log, workingDirectory: dir);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await ChildProcesses.WaitUntilAsync("Alertmanager", async () =>
        {
            try { return (await http.GetAsync($"{Url}/-/ready", ct)).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { return false; }
        }, p, log, TimeSpan.FromSeconds(30), ct);
    }

    /// <summary>
    /// Posts <paramref name="count"/> distinct alerts (label <c>id</c> = a000001...) in batches, as fast as
    /// Alertmanager takes them, and returns the Stopwatch timestamp of the first POST.
    /// </summary>
    /// <summary>The running Alertmanager, for its CPU time.</summary>
    public Process? Process { get; private set; }

    public async Task<long> PostAlertsAsync(int count, int batchSize, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var startsAt = DateTimeOffset.UtcNow.AddSeconds(-1);
        var endsAt = startsAt.AddHours(1);
        var first = 0L;
        for (var from = 0; from < count; from += batchSize)
        {
            var batch = Enumerable.Range(from, Math.Min(batchSize, count - from)).Select(i => new
            {
                labels = new Dictionary<string, string> { ["alertname"] = "DeadlineBench", ["id"] = $"a{i:D6}", ["severity"] = "info" },
                annotations = new Dictionary<string, string> { ["summary"] = $"Bench deadline {i % 100} is due in 1 hour" },
                startsAt,
                endsAt,
            }).ToList();
            if (first == 0) first = Stopwatch.GetTimestamp();
            var r = await http.PostAsJsonAsync($"{Url}/api/v2/alerts", batch, ct);
            if (!r.IsSuccessStatusCode)
                throw new BenchException($"Alertmanager refused a batch: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync(ct)}");
        }
        return first;
    }
}

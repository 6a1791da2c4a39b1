using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeadlineAlerts.Bench;

public sealed class TickResultRow
{
    public int Deadlines { get; set; }
    public string LoadAverage { get; set; } = "";
    public int DuePerWindow { get; set; }
    public double SeedSeconds { get; set; }
    public long SeedRequests { get; set; }
    public List<AppUnderTest.TickMeasure> Windows { get; set; } = [];
    public long Requests => Windows.Count == 0 ? 0 : Windows.Max(w => w.Requests);
    public double MedianMilliseconds => Windows.Count == 0 ? 0 : Windows.Select(w => w.Milliseconds).Order().ElementAt(Windows.Count / 2);
}

public sealed class DeliveryResult
{
    public string LoadAverage { get; set; } = MachineFacts.LoadAverage();
    public int Expected { get; set; }
    public int Scheduled { get; set; }
    public int Planned { get; set; }
    public double ImportSeconds { get; set; }
    public long ImportRequests { get; set; }
    public long TickRequests { get; set; }
    public double TickMilliseconds { get; set; }
    public long DeliveryRequests { get; set; }
    /// <summary>From the start of the drain to the receipt of the last new webhook-id.</summary>
    public double Seconds { get; set; }
    /// <summary>From the start of the drain until the runner returned (queue empty).</summary>
    public double DrainSeconds { get; set; }
    public long Received { get; set; }
    public int Distinct { get; set; }
    public int Duplicates { get; set; }
    public int Missing { get; set; }
    public int Extra { get; set; }
    public long RequestsWithoutId { get; set; }
    public int QueueLeft { get; set; }
    public int PoisonLeft { get; set; }
    public bool TimedOut { get; set; }
    public Dictionary<string, int> Statuses { get; set; } = [];
    /// <summary>CPU seconds Azurite (node) used during the drain: the storage side of the work.</summary>
    public double StorageCpuSeconds { get; set; }
    /// <summary>CPU seconds the bench process used during the drain: the app's delivery and the receiver.</summary>
    public double AppCpuSeconds { get; set; }
    public double AlertsPerSecond => Seconds > 0 ? Distinct / Seconds : 0;
    public double StorageRequestsPerAlert => Distinct > 0 ? (TickRequests + DeliveryRequests) / (double)Distinct : 0;
}

public sealed class AlertmanagerResult
{
    public string LoadAverage { get; set; } = MachineFacts.LoadAverage();
    public string Version { get; set; } = "?";
    public string GroupWait { get; set; } = "";
    public int Expected { get; set; }
    public double PostSeconds { get; set; }
    public double Seconds { get; set; }
    public long Requests { get; set; }
    public long Received { get; set; }
    public int Distinct { get; set; }
    public int Duplicates { get; set; }
    public int Missing { get; set; }
    public bool TimedOut { get; set; }
    /// <summary>CPU seconds Alertmanager used from the first POST to the last receipt (plus the one-second settle).</summary>
    public double AlertmanagerCpuSeconds { get; set; }
    /// <summary>CPU seconds the bench process used meanwhile: posting the alerts and the receiver.</summary>
    public double BenchCpuSeconds { get; set; }
    public double AlertsPerSecond => Seconds > 0 ? Distinct / Seconds : 0;
}

public sealed class Report
{
    public string StartedAt { get; set; } = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    public string? FinishedAt { get; set; }
    public Dictionary<string, object> Machine { get; set; } = [];
    public Dictionary<string, object> Settings { get; set; } = [];
    public List<TickResultRow> Ticks { get; set; } = [];
    public DeliveryResult? Delivery { get; set; }
    public AlertmanagerResult? Alertmanager { get; set; }
    public Dictionary<string, object?> Summary { get; set; } = [];
    public Dictionary<string, object?> Targets { get; set; } = [];

    [JsonIgnore]
    public double? Ratio => Delivery is { } d && Alertmanager is { AlertsPerSecond: > 0 } a ? d.AlertsPerSecond / a.AlertsPerSecond : null;

    public void Finish()
    {
        FinishedAt = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        Machine["loadAverageAtEnd"] = MachineFacts.LoadAverage();
        foreach (var t in Ticks)
        {
            Summary[$"tickRequests{t.Deadlines}"] = t.Requests;
            Summary[$"tickMs{t.Deadlines}"] = Math.Round(t.MedianMilliseconds, 1);
        }
        if (Delivery is { } d)
        {
            Summary["deliveryAlertsPerSecond"] = Math.Round(d.AlertsPerSecond, 1);
            Summary["duplicatesAtReceiver"] = d.Duplicates;
            Summary["missingAtReceiver"] = d.Missing;
            Summary["storageRequestsPerDeliveredAlert"] = Math.Round(d.StorageRequestsPerAlert, 3);
        }
        if (Alertmanager is { } a) Summary["alertmanagerAlertsPerSecond"] = Math.Round(a.AlertsPerSecond, 1);
        if (Ratio is { } r) Summary["ratioOursToAlertmanager"] = Math.Round(r, 3);

        Targets["deliveryAtLeastHalfOfAlertmanager"] = Ratio is { } rr ? rr >= 0.5 : null;
        Targets["atMostQuarterStorageRequestPerAlert"] = Delivery is { } dd ? dd.StorageRequestsPerAlert <= 0.25 : null;
        Targets["exactlyOnceAtReceiver"] = Delivery is { } de ? de.Duplicates == 0 && de.Missing == 0 && de.Extra == 0 : null;
        if (Ticks.Count >= 2)
        {
            var small = Ticks.MinBy(t => t.Deadlines)!;
            var large = Ticks.MaxBy(t => t.Deadlines)!;
            // Flat: the largest size costs no more requests than the smallest, and at most twice its time
            // (timing on a shared 2-core machine is noisy; the request count is exact).
            Targets["tickRequestsFlat"] = large.Requests <= small.Requests;
            Targets["tickTimeFlat"] = large.MedianMilliseconds <= 2 * Math.Max(small.MedianMilliseconds, 1);
        }
    }

    public void Print()
    {
        Console.WriteLine();
        Console.WriteLine("== tick cost (due alerts fixed per window; median of the windows) ==");
        Console.WriteLine($"{"deadlines",10} {"due",5} {"requests",9} {"ms",8} {"min ms",8} {"max ms",8} {"seed s",8}  load");
        foreach (var t in Ticks)
            Console.WriteLine($"{t.Deadlines,10:N0} {t.DuePerWindow,5} {t.Requests,9} {t.MedianMilliseconds,8:0.0} {t.Windows.Min(w => w.Milliseconds),8:0.0} {t.Windows.Max(w => w.Milliseconds),8:0.0} {t.SeedSeconds,8:0.0}  {t.LoadAverage}");
        if (Delivery is { } d)
        {
            Console.WriteLine();
            Console.WriteLine("== delivery (ours) ==");
            Row("alerts expected", d.Expected.ToString("N0", CultureInfo.InvariantCulture));
            Row("alerts planned by the tick", d.Planned.ToString("N0", CultureInfo.InvariantCulture));
            Row("distinct webhook-ids received", d.Distinct.ToString("N0", CultureInfo.InvariantCulture));
            Row("duplicates / missing / unexpected", $"{d.Duplicates} / {d.Missing} / {d.Extra}");
            Row("delivery time (drain start → last receipt)", $"{d.Seconds:0.00} s");
            Row("delivery throughput", $"{d.AlertsPerSecond:0.0} alerts/s");
            Row("storage requests: tick + delivery", $"{d.TickRequests:N0} + {d.DeliveryRequests:N0}");
            Row("storage requests per delivered alert", $"{d.StorageRequestsPerAlert:0.000}");
            Row("ledger outcomes", string.Join(", ", d.Statuses.Select(kv => $"{kv.Key} {kv.Value}")));
            Row("left on queue / poison", $"{d.QueueLeft} / {d.PoisonLeft}" + (d.TimedOut ? " (TIMED OUT)" : ""));
        }
        if (Alertmanager is { } a)
        {
            Console.WriteLine();
            Console.WriteLine($"== Alertmanager ({a.Version}, group_by ['...'], group_wait {a.GroupWait}) ==");
            Row("distinct alerts received", a.Distinct.ToString("N0", CultureInfo.InvariantCulture));
            Row("duplicates / missing", $"{a.Duplicates} / {a.Missing}" + (a.TimedOut ? " (TIMED OUT)" : ""));
            Row("webhook posts", a.Requests.ToString("N0", CultureInfo.InvariantCulture));
            Row("time (first POST → last receipt)", $"{a.Seconds:0.00} s");
            Row("throughput", $"{a.AlertsPerSecond:0.0} alerts/s");
        }
        if (Ratio is { } r) { Console.WriteLine(); Row("ratio ours / Alertmanager", $"{r:0.000}"); }
        Console.WriteLine();
        Console.WriteLine("== targets ==");
        foreach (var (k, v) in Targets) Row(k, v switch { true => "met", false => "NOT met", _ => "n/a" });
        Console.WriteLine();
        Console.WriteLine("== machine ==");
        foreach (var (k, v) in Machine) Row(k, v.ToString() ?? "");
        Console.WriteLine();
        Console.WriteLine(Json());
    }

    private static void Row(string label, string value) => Console.WriteLine($"  {label,-44} {value}");

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string Json() => JsonSerializer.Serialize(this, JsonOptions);
}

public static class MachineFacts
{
    public static Dictionary<string, object> Collect(string repoRoot) => new()
    {
        ["nproc"] = Environment.ProcessorCount,
        ["cpuModel"] = CpuModel(),
        ["memoryGiB"] = MemoryGiB(),
        ["os"] = OsName(),
        ["dotnetRuntime"] = RuntimeInformation.FrameworkDescription,
        ["dotnetSdk"] = Run("dotnet", "--version"),
        ["alertmanager"] = Bench.Alertmanager.ReadVersion(),
        ["gitCommit"] = Run("git", $"-C {repoRoot} rev-parse --short HEAD"),
        ["loadAverageAtStart"] = LoadAverage(),
    };

    private static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        }
        catch { return "?"; }
    }

    private static double MemoryGiB()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            var kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            return Math.Round(kb / 1024.0 / 1024.0, 1);
        }
        catch { return 0; }
    }

    private static string OsName()
    {
        try
        {
            var line = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
            return line?.Split('=', 2)[1].Trim('"') ?? RuntimeInformation.OSDescription;
        }
        catch { return RuntimeInformation.OSDescription; }
    }

    public static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch { return "?"; }
    }

    private static string Run(string file, string arguments)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var text = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit(10_000);
            return text.Length > 0 ? text : "?";
        }
        catch { return "?"; }
    }
}

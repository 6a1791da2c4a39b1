using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using NodaTime;

namespace DeadlineAlerts.Bench;

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
        if (Environment.GetEnvironmentVariable("BENCH_AZURITE_PORT") is { Length: > 0 } p) o.AzuritePort = int.Parse(p, CultureInfo.InvariantCulture);
        if (Environment.GetEnvironmentVariable("BENCH_TIME_LIMIT") is { Length: > 0 } t) o.TimeLimit = TimeSpan.FromSeconds(int.Parse(t, CultureInfo.InvariantCulture));
        o.IsDefault = args.Length == 0;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--sizes": o.Sizes = Next().Split(',').Select(int.Parse).ToArray(); break;
                case "--due": o.DuePerWindow = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--subscribers": o.Subscribers = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--deadlines-per-subscriber": o.DeadlinesPerSubscriber = int.Parse(Next(), CultureInfo.InvariantCulture); break;
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

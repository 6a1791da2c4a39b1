using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.App.Import;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Storage;
using DeadlineAlerts.Storage.Queue;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Storage.Schedule;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace DeadlineAlerts.Bench;

/// <summary>
/// EVERY call the benchmark makes into the app is in this file, so that a change of the pipeline's API (the
/// delivery rewrite) is fixed here and nowhere else. One instance is one installation: a fresh table prefix on
/// the bench's own Azurite, the real services from <c>AddDeadlineAlerts</c>, and a clock the bench sets.
/// Calls used: AddDeadlineAlerts, StorageClients (EnsureCreatedAsync, Requests, Names), RecordStore.UpsertAsync,
/// ScheduleIndex.AddAsync, TickState.AdvanceCheckpointAsync, AlertPlanner.Plan, RecordReader.ReadJson,
/// ImportService.ImportAsync, ScanService.TickAsync, LocalQueueRunner.DrainAllAsync, AlertQueue.
/// </summary>
public sealed class AppUnderTest : IAsyncDisposable
{
    private static readonly string[] OneHourLead = ["PT1H"];
    private static readonly string[] BenchCategory = ["bench"];

    private readonly ServiceProvider _services;
    private readonly StorageClients _clients;

    public BenchClock Clock { get; }
    public string Prefix { get; }

    /// <summary>Storage requests made by this installation so far (the app's own counter, every table and queue call).</summary>
    public long Requests => _clients.Requests.Count;

    private AppUnderTest(string storage, Instant now, IDictionary<string, string?> settings)
    {
        Clock = new BenchClock(now);
        Prefix = "b" + Guid.NewGuid().ToString("N")[..12];
        var all = new Dictionary<string, string?>
        {
            ["DeadlineAlerts:Storage"] = storage,
            ["DeadlineAlerts:TablePrefix"] = Prefix,
            ["DeadlineAlerts:Delivery:AllowHosts"] = "127.0.0.1",
        };
        foreach (var kv in settings) all[kv.Key] = kv.Value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(all).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.ClearProviders().SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IClock>(Clock);
        services.AddSingleton<IConfiguration>(configuration);
        services.AddDeadlineAlerts(configuration);
        _services = services.BuildServiceProvider();
        _clients = Get<StorageClients>();
    }

    public static async Task<AppUnderTest> CreateAsync(string storage, Instant now, IDictionary<string, string?>? settings = null, CancellationToken ct = default)
    {
        var app = new AppUnderTest(storage, now, settings ?? new Dictionary<string, string?>());
        await app._clients.EnsureCreatedAsync(ct);
        return app;
    }

    private T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    // ---------------------------------------------------------------- tick scenario (direct seeding)

    /// <summary>
    /// Seeds <paramref name="deadlineCount"/> deadlines, each followed by exactly one of <paramref name="subscriberCount"/>
    /// subscribers (by category) with one lead time (PT1H), so each deadline plans exactly one alert. The first
    /// <c>windows × duePerWindow</c> deadlines fire inside the tick windows (t0 + w·window, t0 + (w+1)·window];
    /// the rest fire spread over the following year. Schedule rows come from the app's own planner
    /// (<see cref="AlertPlanner.Plan"/>) and are written with <see cref="ScheduleIndex.AddAsync"/>; records with
    /// <see cref="RecordStore.UpsertAsync"/> (entity-group batches). The checkpoint is set to t0.
    /// </summary>
    public async Task SeedTickScenarioAsync(int deadlineCount, int subscriberCount, int duePerWindow, int windows, Duration window,
        Instant t0, int parallelism, CancellationToken ct)
    {
        var zone = DateTimeZone.Utc;
        var lead = LeadTime.Parse("PT1H");
        var armed = t0 - Duration.FromDays(1);
        var subscribers = Enumerable.Range(0, subscriberCount).Select(k => new Subscriber
        {
            Id = $"sub-{k:D4}",
            Name = $"Bench subscriber {k}",
            Categories = [$"c{k:D4}"],
            Channels = [new ChannelSpec { Type = ChannelSpec.Webhook, Target = $"http://127.0.0.1:9/never/{k}", Secret = NewSecret() }],
            CreatedAt = armed,
        }).ToList();
        var dueCount = duePerWindow * windows;
        if (dueCount > deadlineCount) throw new ArgumentException("more due alerts than deadlines");
        var step = window / (duePerWindow + 1);
        var later = Duration.FromDays(365) / Math.Max(1, deadlineCount - dueCount);
        var deadlines = new List<Deadline>(deadlineCount);
        for (var i = 0; i < deadlineCount; i++)
        {
            // The due ones fire inside window w, strictly after its start and not after its end.
            var fireAt = i < dueCount
                ? t0 + window * (i / duePerWindow) + step * (i % duePerWindow + 1)
                : t0 + Duration.FromDays(2) + later * (i - dueCount);
            var due = fireAt + Duration.FromHours(1);
            deadlines.Add(new Deadline
            {
                Id = $"dl-{i:D6}",
                Title = $"Bench deadline {i}",
                Due = DueTime.FromStored(due.InZone(zone).LocalDateTime, zone, due),
                Category = $"c{i % subscriberCount:D4}",
                LeadTimes = [lead],
                ArmedAt = armed,
            });
        }
        var byId = subscribers.ToDictionary(s => s.Categories[0]);
        var planned = deadlines.SelectMany(d => AlertPlanner.Plan(d, byId[d.Category!])).ToList();
        if (planned.Count != deadlineCount) throw new InvalidOperationException($"planner made {planned.Count} alerts for {deadlineCount} deadlines");

        var store = Get<RecordStore>();
        var schedule = Get<ScheduleIndex>();
        await store.UpsertAsync([], subscribers, ct);
        // Chunks of whole batches, several in flight: Azurite is the bottleneck, not the client.
        var work = deadlines.Chunk(1000).Select<Deadline[], Func<Task>>(c => () => store.UpsertAsync(c, [], ct))
            .Concat(planned.GroupBy(p => ScheduleIndex.Partition(p.FireAt, p.SubscriberId)).SelectMany(g => g.Chunk(1000))
                .Select<PlannedAlert[], Func<Task>>(c => () => schedule.AddAsync(c, ct)));
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct },
            async (w, _) => await w());
        await Get<TickState>().AdvanceCheckpointAsync(t0, 0, ct);
    }

    // ---------------------------------------------------------------- delivery scenario (the import path)

    /// <summary>
    /// Imports, through <see cref="RecordReader.ReadJson"/> and <see cref="ImportService.ImportAsync"/> (what
    /// <c>dla import</c> does), <paramref name="subscriberCount"/> subscribers each following all
    /// <paramref name="deadlineCount"/> deadlines by category, one webhook channel each at
    /// <paramref name="receiverBaseUrl"/>/s{k}. Each deadline has the single lead time PT1H and is due between
    /// 1 h + 1 s and 1 h + 59 s after the import, so each pair has exactly one alert in the next minute.
    /// Returns the alerts the import scheduled.
    /// </summary>
    public async Task<int> ImportDeliveryScenarioAsync(int subscriberCount, int deadlineCount, string receiverBaseUrl, CancellationToken ct)
    {
        var now = Clock.GetCurrentInstant();
        var deadlines = Enumerable.Range(0, deadlineCount).Select(i =>
        {
            var due = now + Duration.FromHours(1) + Duration.FromMilliseconds(1000 + 58_000L * i / Math.Max(1, deadlineCount - 1));
            return new Dictionary<string, object>
            {
                ["id"] = $"dl-{i:D4}",
                ["title"] = $"Bench deadline {i}",
                ["due"] = due.InUtc().LocalDateTime.ToString("uuuu'-'MM'-'dd'T'HH':'mm':'ss;FFFFFFFFF", null),
                ["timeZone"] = "Etc/UTC",
                ["category"] = "bench",
                ["leadTimes"] = OneHourLead,
            };
        });
        var subscribers = Enumerable.Range(0, subscriberCount).Select(k => new Dictionary<string, object>
        {
            ["id"] = $"sub-{k:D3}",
            ["name"] = $"Bench subscriber {k}",
            ["categories"] = BenchCategory,
            ["channels"] = new[] { new Dictionary<string, string> { ["type"] = "webhook", ["url"] = $"{receiverBaseUrl}/s{k:D3}", ["secret"] = NewSecret() } },
        });
        var json = JsonSerializer.Serialize(new { deadlines, subscribers });
        var set = Get<RecordReader>().ReadJson(json, now);
        var result = await Get<ImportService>().ImportAsync(set, ct);
        return result.AlertsScheduled;
    }

    // ---------------------------------------------------------------- the measured calls

    public sealed record TickMeasure(long Requests, double Milliseconds, int Planned, int Enqueued);

    public async Task<TickMeasure> TickAsync(CancellationToken ct)
    {
        var before = Requests;
        var sw = Stopwatch.StartNew();
        var r = await Get<ScanService>().TickAsync(ct);
        sw.Stop();
        return new TickMeasure(Requests - before, sw.Elapsed.TotalMilliseconds, r.Planned, r.Enqueued);
    }

    /// <summary>Drains the alert queue with the app's local runner (the stand-in for the queue trigger); returns the delivery lines' statuses.</summary>
    public async Task<Dictionary<string, int>> DrainAsync(TimeSpan maxWait, CancellationToken ct)
    {
        var lines = await Get<LocalQueueRunner>().DrainAllAsync(maxWait, ct);
        return lines.GroupBy(l => l.Status.ToString()).ToDictionary(g => g.Key, g => g.Count());
    }

    public async Task<(int Alerts, int Poison)> QueueDepthAsync(CancellationToken ct)
    {
        var q = Get<AlertQueue>();
        var a = (await q.Queue.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount;
        var p = (await q.Poison.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount;
        return (a, p);
    }

    private static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>Deletes this installation's tables and queues (Azurite keeps them in memory).</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            foreach (var t in _clients.Names.Tables) await _clients.Tables.DeleteTableAsync(t, cts.Token);
            await _clients.Queue(_clients.Names.AlertQueue).DeleteIfExistsAsync(cts.Token);
            await _clients.Queue(_clients.Names.PoisonQueue).DeleteIfExistsAsync(cts.Token);
        }
        catch (Exception e) { Console.Error.WriteLine($"  (cleanup of installation {Prefix} failed: {e.GetType().Name})"); }
        await _services.DisposeAsync();
    }
}

/// <summary>A clock the bench sets: the app reads "now" from it, so a window can be placed exactly.</summary>
public sealed class BenchClock(Instant now) : IClock
{
    private long _ticks = now.ToUnixTimeTicks();
    public Instant GetCurrentInstant() => Instant.FromUnixTimeTicks(Interlocked.Read(ref _ticks));
    public void Set(Instant now) => Interlocked.Exchange(ref _ticks, now.ToUnixTimeTicks());
}

using System.Diagnostics;
using System.Text.Json;
using DeadlineAlerts.App;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Functions.Tests.Support;
using DeadlineAlerts.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.Functions.Tests;

/// <summary>
/// What docs/telemetry.md promises of the worker's OpenTelemetry: a channel URL's secret reaches no exported span,
/// metric or log record (the host does); the metrics count what was delivered; and with
/// APPLICATIONINSIGHTS_CONNECTION_STRING the Azure Monitor exporter sends the log events with their EventName and
/// properties (customDimensions) and the metrics (customMetrics) to the ingestion endpoint it names.
/// The exporters are OpenTelemetry's in-memory ones, added after the worker's own registration, as a second
/// exporter would be. The assembly runs its tests one at a time: the listeners are process-wide.
/// </summary>
public sealed class TelemetryTests
{
    private const string Token = "XXSECRETTOKENXX";

    private sealed class Exported
    {
        public List<Activity> Spans { get; } = [];
        public List<MetricSnapshot> Metrics { get; } = [];
        public List<LogRecord> Logs { get; } = [];
    }

    /// <summary>The worker's registration (Trace logging: everything it could log) plus in-memory exporters.</summary>
    private static Task<TestInstallation> WorkerAsync(Exported exported, Dictionary<string, string?>? settings = null) =>
        TestInstallation.CreateAsync(Instant.FromUtc(2025, 7, 29, 8, 0), settings, (s, c) =>
        {
            s.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace));
            s.AddDeadlineAlertsFunctions(c);
            s.AddOpenTelemetry()
                .WithTracing(t => t.AddInMemoryExporter(exported.Spans))
                .WithMetrics(m => m.AddInMemoryExporter(exported.Metrics))
                .WithLogging(l => l.AddInMemoryExporter(exported.Logs));
        });

    /// <summary>Runs one tick that plans every P7D alert, then delivers everything queued.</summary>
    private static async Task TickAndDeliverAsync(TestInstallation t)
    {
        TelemetrySetup.StartWithoutHost(t.Services); // as the Functions host's hosted service would
        t.Clock.Reset(Instant.FromUtc(2025, 8, 5, 4, 1, 30));
        await t.Get<ScanService>().TickAsync();
        await t.Get<App.Hosting.LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(20));
        t.Get<TracerProvider>().ForceFlush();
        t.Get<MeterProvider>().ForceFlush();
    }

    [Fact]
    public async Task A_webhook_delivery_exports_its_host_and_never_the_secret_in_its_url()
    {
        using var receiver = new LoopbackReceiver();
        var exported = new Exported();
        await using var t = await WorkerAsync(exported);
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01", leadTimes: ["P7D"])],
            [Subscriber("desk", receiver.Url($"services/T000/B000/{Token}"))]));

        await TickAndDeliverAsync(t);

        Assert.Single(receiver.Requests);
        Assert.EndsWith(Token, Assert.Single(receiver.Requests).Path); // the secret was there to leak
        var http = Assert.Single(exported.Spans, s => s.Kind == ActivityKind.Client && s.GetTagItem("server.port") is int p && p == receiver.Port);
        Assert.Equal($"http://127.0.0.1:{receiver.Port}/***", http.GetTagItem("url.full"));
        Assert.Equal("127.0.0.1", http.GetTagItem("server.address"));
        Assert.Equal("POST", http.DisplayName);
        Assert.Contains(exported.Spans, s => s.Source.Name == AlertMetrics.MeterName && s.DisplayName == "deliver");
        Assert.Contains(exported.Logs, l => l.EventId.Name == "AlertDelivered");

        var texts = exported.Spans.SelectMany(SpanTexts)
            .Concat(exported.Metrics.SelectMany(MetricTexts))
            .Concat(exported.Logs.SelectMany(LogTexts))
            .ToList();
        Assert.Contains(texts, x => x.Contains($"127.0.0.1:{receiver.Port}", StringComparison.Ordinal));
        Assert.DoesNotContain(texts, x => x.Contains(Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_delivery_counts_exactly_the_deliveries_made_by_channel_type_and_kind()
    {
        using var receiver = new LoopbackReceiver();
        var exported = new Exported();
        await using var t = await WorkerAsync(exported);
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01", leadTimes: ["P7D"]), Deadline("tariff", "2025-08-12T00:01", leadTimes: ["P7D"])],
            [Subscriber("desk", receiver.Url("desk")), Subscriber("ops", receiver.Url("ops"))]));

        await TickAndDeliverAsync(t);

        Assert.Equal(4, receiver.Requests.Count); // two deadlines, two subscribers, one webhook each
        var webhookAlert = new Dictionary<string, object?> { ["channel.type"] = "webhook", ["message.kind"] = "alert" };
        Assert.Equal(4, Sum(exported, "deadlinealerts.alerts.planned", webhookAlert));
        Assert.Equal(4, Sum(exported, "deadlinealerts.alerts.delivered", webhookAlert));
        Assert.Equal(0, Sum(exported, "deadlinealerts.alerts.failed", webhookAlert));
        Assert.Equal(0, Sum(exported, "deadlinealerts.alerts.retried", webhookAlert));
        var lag = Points(exported, "deadlinealerts.delivery.lag").Single();
        Assert.Equal(4, lag.GetHistogramCount());
        Assert.Equal(30 * 4, lag.GetHistogramSum(), precision: 0); // fired 04:01:00, delivered at the tick's 04:01:30
        Assert.Equal("s", exported.Metrics.First(m => m.Name == "deadlinealerts.delivery.lag").Unit);
        Assert.Equal(1, Points(exported, "deadlinealerts.tick.duration").Single().GetHistogramCount());
    }

    [Fact]
    public async Task A_retried_then_failed_delivery_counts_as_retried_and_failed()
    {
        using var receiver = new LoopbackReceiver().Answer(503, times: 4);
        var exported = new Exported();
        await using var t = await WorkerAsync(exported);
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01", leadTimes: ["P7D"])], [Subscriber("desk", receiver.Url())]));

        await TickAndDeliverAsync(t);

        Assert.Equal(4, receiver.Requests.Count); // MaxAttempts = 4 in TestInstallation
        var webhookAlert = new Dictionary<string, object?> { ["channel.type"] = "webhook", ["message.kind"] = "alert" };
        Assert.Equal(3, Sum(exported, "deadlinealerts.alerts.retried", webhookAlert));
        Assert.Equal(1, Sum(exported, "deadlinealerts.alerts.failed", webhookAlert));
        Assert.Equal(0, Sum(exported, "deadlinealerts.alerts.delivered", webhookAlert));
    }

    [Fact]
    public async Task With_a_connection_string_Azure_Monitor_receives_the_events_with_their_properties_and_the_metrics()
    {
        using var ingestion = new IngestionListener();
        using var receiver = new LoopbackReceiver();
        var exported = new Exported();
        await using var t = await WorkerAsync(exported, new()
        {
            [TelemetrySetup.ConnectionStringSetting] = $"InstrumentationKey=00000000-0000-0000-0000-0000000000a1;IngestionEndpoint={ingestion.Url}",
        });
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01", leadTimes: ["P7D"])],
            [Subscriber("desk", receiver.Url($"services/T000/B000/{Token}"))]));

        await TickAndDeliverAsync(t);
        t.Get<LoggerProvider>().ForceFlush();

        var traces = await TracesAsync(ingestion, "TickCompleted");
        var tick = Assert.Single(traces, p => p.GetValueOrDefault("EventName") == "TickCompleted");
        Assert.Equal("1010", tick["EventId"]);
        Assert.Equal("1", tick["AlertsPlanned"]);
        Assert.Equal("2025-08-05T04:01:30Z", tick["WindowEnd"]);
        var planned = Assert.Single(traces, p => p.GetValueOrDefault("EventName") == "AlertPlanned");
        Assert.Equal("truce", planned["DeadlineId"]);
        Assert.Equal("P7D", planned["LeadTime"]);
        var metrics = ingestion.Envelopes.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("data"))
            .Where(d => d.GetProperty("baseType").GetString() == "MetricData")
            .SelectMany(d => d.GetProperty("baseData").GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("name").GetString()))
            .ToList();
        Assert.Contains("deadlinealerts.alerts.delivered", metrics);
        Assert.All(ingestion.Envelopes, e => Assert.DoesNotContain(Token, e));
    }

    /// <summary>The points of the last export of <paramref name="name"/> (cumulative: they hold the totals).</summary>
    private static IReadOnlyList<MetricPoint> Points(Exported exported, string name) =>
        exported.Metrics.LastOrDefault(m => m.Name == name)?.MetricPoints ?? [];

    private static long Sum(Exported exported, string name, IReadOnlyDictionary<string, object?> tags) =>
        Points(exported, name).Where(p => TagsOf(p).Count == tags.Count && tags.All(kv => Equals(TagsOf(p).GetValueOrDefault(kv.Key), kv.Value)))
            .Sum(p => p.GetSumLong());

    private static Dictionary<string, object?> TagsOf(MetricPoint p)
    {
        var tags = new Dictionary<string, object?>();
        foreach (var tag in p.Tags) tags[tag.Key] = tag.Value;
        return tags;
    }

    private static IEnumerable<string> SpanTexts(Activity s) =>
        new[] { s.DisplayName, s.OperationName, s.StatusDescription ?? "" }
            .Concat(s.TagObjects.Select(kv => $"{kv.Key}={kv.Value}"))
            .Concat(s.Events.SelectMany(e => e.Tags.Select(kv => $"{e.Name}:{kv.Key}={kv.Value}")));

    private static IEnumerable<string> MetricTexts(MetricSnapshot m) =>
        new[] { m.Name }.Concat(m.MetricPoints.SelectMany(p => TagsOf(p).Select(kv => $"{kv.Key}={kv.Value}")));

    private static IEnumerable<string> LogTexts(LogRecord l)
    {
        var texts = new List<string> { l.CategoryName ?? "", l.FormattedMessage ?? "", l.Body ?? "", l.Exception?.ToString() ?? "" };
        texts.AddRange((l.Attributes ?? []).Select(kv => $"{kv.Key}={kv.Value}"));
        l.ForEachScope((scope, list) =>
        {
            list.Add(scope.Scope?.ToString() ?? "");
            foreach (var kv in scope) list.Add($"{kv.Key}={kv.Value}");
        }, texts);
        return texts;
    }

    /// <summary>The customDimensions of every trace (log record) received, once one named <paramref name="until"/> arrived.</summary>
    private static async Task<List<Dictionary<string, string>>> TracesAsync(IngestionListener ingestion, string until)
    {
        var giveUp = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var traces = ingestion.Envelopes.Select(line => JsonDocument.Parse(line).RootElement)
                .Where(e => e.GetProperty("data").GetProperty("baseType").GetString() == "MessageData")
                .Select(e => e.GetProperty("data").GetProperty("baseData"))
                .Where(d => d.TryGetProperty("properties", out _))
                .Select(d => d.GetProperty("properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString()))
                .ToList();
            if (traces.Any(p => p.GetValueOrDefault("EventName") == until)) return traces;
            if (DateTime.UtcNow > giveUp)
                Assert.Fail($"No trace named {until} reached ingestion; got {ingestion.Envelopes.Count} envelope(s): " + string.Join("\n", ingestion.Envelopes.Take(8)) +
                            string.Join(", ", traces.Select(p => p.GetValueOrDefault("EventName") ?? "?")));
            await Task.Delay(100);
        }
    }
}

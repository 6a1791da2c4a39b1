using System.Text.Json;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Functions.Tests.Support;
using DeadlineAlerts.Testing;
using Microsoft.ApplicationInsights;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.Functions.Tests;

/// <summary>
/// What docs/telemetry.md promises: with the worker's registration, DeadlineAlerts' Information events reach
/// Application Insights as traces whose customDimensions carry the event name and every template property.
/// The SDK sends to a loopback ingestion endpoint named in APPLICATIONINSIGHTS_CONNECTION_STRING.
/// </summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task A_tick_reaches_Application_Insights_as_Information_traces_with_their_properties()
    {
        using var ingestion = new IngestionListener();
        var settings = new Dictionary<string, string?>
        {
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = $"InstrumentationKey=00000000-0000-0000-0000-0000000000a1;IngestionEndpoint={ingestion.Url}",
        };
        await using var t = await TestInstallation.CreateAsync(Instant.FromUtc(2025, 7, 29, 8, 0), settings, (s, c) =>
        {
            s.AddLogging(b => b.SetMinimumLevel(LogLevel.Information)); // the worker's default level
            s.AddDeadlineAlertsFunctions(c);
        });
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01", leadTimes: ["P7D"])], [Subscriber("desk", "http://127.0.0.1:9/hook")]));
        t.Clock.Reset(Instant.FromUtc(2025, 8, 5, 4, 1, 30));

        await t.Get<ScanService>().TickAsync();
        await t.Get<TelemetryClient>().FlushAsync(CancellationToken.None);

        var traces = await TracesAsync(ingestion, "TickCompleted");
        var tick = Assert.Single(traces, p => p["EventName"] == "TickCompleted");
        Assert.Equal("1010", tick["EventId"]);
        Assert.Equal("1", tick["AlertsPlanned"]);
        Assert.Equal("2025-08-05T04:01:30Z", tick["WindowEnd"]);
        Assert.True(tick.ContainsKey("DurationMs") && tick.ContainsKey("StorageRequests"));
        var planned = Assert.Single(traces, p => p["EventName"] == "AlertPlanned");
        Assert.Equal("truce", planned["DeadlineId"]);
        Assert.Equal("P7D", planned["LeadTime"]);
    }

    [Fact]
    public async Task A_delivery_reaches_Application_Insights_without_the_secret_in_its_url()
    {
        using var ingestion = new IngestionListener();
        using var receiver = new LoopbackReceiver();
        const string token = "XXSLACKTOKENXX";
        var settings = new Dictionary<string, string?>
        {
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = $"InstrumentationKey=00000000-0000-0000-0000-0000000000a1;IngestionEndpoint={ingestion.Url}",
        };
        await using var t = await TestInstallation.CreateAsync(Instant.FromUtc(2025, 7, 29, 8, 0), settings, (s, c) =>
        {
            s.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace)); // everything the worker could log
            s.AddDeadlineAlertsFunctions(c);
        });
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01", leadTimes: ["P7D"])],
            [Subscriber("desk", receiver.Url($"services/T000/B000/{token}"))]));
        t.Clock.Reset(Instant.FromUtc(2025, 8, 5, 4, 1, 30));

        await t.Get<ScanService>().TickAsync();
        await t.Get<LocalQueueRunner>().DrainAllAsync(TimeSpan.FromSeconds(20));
        await t.Get<TelemetryClient>().FlushAsync(CancellationToken.None);

        Assert.Single(receiver.Requests);
        Assert.Contains(await TracesAsync(ingestion, "AlertDelivered"), p => p["EventName"] == "AlertDelivered");
        Assert.All(ingestion.Envelopes, e => Assert.DoesNotContain(token, e));
        var dependencies = ingestion.Envelopes.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("data"))
            .Where(d => d.GetProperty("baseType").GetString() == "RemoteDependencyData")
            .Select(d => d.GetProperty("baseData"))
            .Where(d => d.TryGetProperty("data", out var data) && data.GetString()!.Contains($"127.0.0.1:{receiver.Port}"))
            .ToList();
        Assert.NotEmpty(dependencies);
        Assert.All(dependencies, d => Assert.Equal($"POST 127.0.0.1:{receiver.Port}", d.GetProperty("name").GetString()));
    }

    /// <summary>The customDimensions of every Information trace received, once one named <paramref name="until"/> arrived.</summary>
    private static async Task<List<Dictionary<string, string>>> TracesAsync(IngestionListener ingestion, string until)
    {
        var giveUp = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var traces = ingestion.Envelopes.Select(line => JsonDocument.Parse(line).RootElement)
                .Where(e => e.GetProperty("data").GetProperty("baseType").GetString() == "MessageData")
                .Select(e => e.GetProperty("data").GetProperty("baseData"))
                .Where(d => d.GetProperty("severityLevel").GetString() == "Information" && d.TryGetProperty("properties", out _))
                .Select(d => d.GetProperty("properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!))
                .ToList();
            if (traces.Any(p => p.GetValueOrDefault("EventName") == until)) return traces;
            if (DateTime.UtcNow > giveUp)
                Assert.Fail($"No Information trace named {until} reached ingestion; got {ingestion.Envelopes.Count} envelope(s): " +
                            string.Join(", ", traces.Select(p => p.GetValueOrDefault("EventName") ?? "?")));
            await Task.Delay(100);
        }
    }
}

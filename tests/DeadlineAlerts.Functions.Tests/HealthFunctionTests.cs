using System.Net;
using System.Reflection;
using System.Text.Json;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Functions.Functions;
using DeadlineAlerts.Functions.Tests.Support;
using DeadlineAlerts.Storage.Queue;
using DeadlineAlerts.Testing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.Functions.Tests;

/// <summary>The Health function as the Functions host calls it: GET /api/health without a key, 200 or 503 with JSON.</summary>
public sealed class HealthFunctionTests
{
    private static readonly Instant July29 = Instant.FromUtc(2025, 7, 29, 8, 0);

    private static async Task<TestHttpResponse> GetAsync(IServiceProvider services)
    {
        var request = new TestHttpRequest("GET", new Uri("https://func-dla.azurewebsites.net/api/health"), services);
        var function = ActivatorUtilities.CreateInstance<Health>(services);
        return Assert.IsType<TestHttpResponse>(await function.Run(request, CancellationToken.None));
    }

    [Fact]
    public async Task Health_answers_200_with_the_report_after_a_tick()
    {
        await using var t = await TestInstallation.CreateAsync(July29, register: (s, c) => s.AddDeadlineAlertsFunctions(c));
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01")], [Subscriber("desk", "http://127.0.0.1:9/hook")]));
        t.Clock.Reset(Instant.FromUtc(2025, 7, 29, 8, 1));
        await t.Get<ScanService>().TickAsync();

        var response = await GetAsync(t.Services);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("application/json", response.Headers.GetValues("Content-Type").Single());
        Assert.Equal("no-store", response.Headers.GetValues("Cache-Control").Single());
        using var body = JsonDocument.Parse(response.BodyText);
        Assert.Equal("healthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("2025-07-29T08:01:00Z", body.RootElement.GetProperty("lastTick").GetString());
    }

    [Fact]
    public async Task Health_is_degraded_with_the_oldest_messages_age_when_the_queue_stalls()
    {
        var logs = new CapturedLogs();
        await using var t = await TestInstallation.CreateAsync(SystemClock.Instance.GetCurrentInstant(), register: (s, c) =>
        {
            s.AddSingleton<ILoggerProvider>(logs);
            s.AddDeadlineAlertsFunctions(c);
        });
        await t.Get<AlertQueue>().EnqueueAsync([new DeliveryRef("p", "r1")]);
        // Nothing took the message: the trigger is not running. 7 minutes from now, not from the clock's start: Azurite
        // stamps the message with the real time of the enqueue, which a slow set-up (a busy machine) puts later.
        t.Clock.Reset(SystemClock.Instance.GetCurrentInstant() + Duration.FromMinutes(7));

        var response = await GetAsync(t.Services);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(response.BodyText);
        Assert.Equal("degraded", body.RootElement.GetProperty("status").GetString());
        Assert.InRange(body.RootElement.GetProperty("oldestMessageAgeSeconds").GetDouble(), 7 * 60, 7 * 60 + 30);
        Assert.Contains("has waited 7 min, more than 5 min", body.RootElement.GetProperty("checks").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == "delivery").GetProperty("detail").GetString());

        // The same figures as a trace an alert rule can query (docs/telemetry.md).
        var logged = Assert.Single(logs.Entries, e => e.EventName == "HealthChecked");
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.Equal("degraded", logged.Values["Status"]);
        Assert.Equal("scan, delivery", logged.Values["Problems"]);
        Assert.InRange(Assert.IsType<double>(logged.Values["OldestMessageAgeSeconds"]), 7 * 60, 7 * 60 + 30);
        Assert.Equal(1, logged.Values["QueuedMessages"]);
    }

    [Fact]
    public async Task Health_answers_503_when_storage_is_unreachable()
    {
        var closed = LoopbackReceiver.FreePort();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DeadlineAlerts:Storage"] = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;" +
                                         $"TableEndpoint=http://127.0.0.1:{closed}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{closed}/devstoreaccount1;",
            ["DeadlineAlerts:HealthCheckTimeout"] = "00:00:02",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration).AddSingleton<IClock>(new FakeClock(July29));
        services.AddDeadlineAlertsFunctions(configuration);
        await using var provider = services.BuildServiceProvider();

        var response = await GetAsync(provider);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var body = JsonDocument.Parse(response.BodyText);
        Assert.Equal("unhealthy", body.RootElement.GetProperty("status").GetString());
        Assert.DoesNotContain("AccountKey", response.BodyText);
    }

    [Fact]
    public void Health_is_an_anonymous_GET_on_api_health()
    {
        var trigger = typeof(Health).GetMethod(nameof(Health.Run))!.GetParameters()[0].GetCustomAttribute<HttpTriggerAttribute>()!;

        Assert.Equal(AuthorizationLevel.Anonymous, trigger.AuthLevel);
        Assert.Equal(["get"], trigger.Methods!);
        Assert.Equal("health", trigger.Route); // host.json keeps the default routePrefix "api"
        Assert.Equal(App.Health.HealthModule.Route, "/api/" + trigger.Route);
    }
}

using System.Text.Json;
using Azure.Core;
using Azure.Identity;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.Health;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Storage.Ledger;
using DeadlineAlerts.Storage.Queue;
using DeadlineAlerts.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using static DeadlineAlerts.Testing.Records;

namespace DeadlineAlerts.App.Tests;

/// <summary>GET /api/health on Azurite, as a probe or an operator sees it: status code, status, last tick and its lag.</summary>
public sealed class HealthTests
{
    private static readonly Instant July29 = Instant.FromUtc(2025, 7, 29, 8, 0);

    private static async Task<(int Status, JsonElement Body, string Text)> GetHealthAsync(IServiceProvider services)
    {
        var response = await services.GetRequiredService<ApiRouter>().HandleAsync(new ApiRequest { Method = "GET", Path = "/api/health" });
        Assert.StartsWith("application/json", response.ContentType);
        Assert.Equal("no-store", response.Headers["Cache-Control"]);
        return (response.Status, JsonDocument.Parse(response.Body).RootElement.Clone(), response.BodyText);
    }

    [Fact]
    public async Task Healthy_after_a_tick_with_the_last_tick_and_its_lag()
    {
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01")], [Subscriber("desk", "http://127.0.0.1:9/hook")]));
        t.Clock.Reset(Instant.FromUtc(2025, 7, 29, 8, 1));
        await t.Get<ScanService>().TickAsync();
        t.Clock.Reset(Instant.FromUtc(2025, 7, 29, 8, 1, 45));

        var (status, body, _) = await GetHealthAsync(t.Services);

        Assert.Equal(200, status);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal("2025-07-29T08:01:00Z", body.GetProperty("lastTick").GetString());
        Assert.Equal("2025-07-29T08:01:45Z", body.GetProperty("checkedAt").GetString());
        Assert.Equal(45, body.GetProperty("lagSeconds").GetDouble());
        Assert.Equal(60, body.GetProperty("scanPeriodSeconds").GetDouble());
        Assert.Equal(0, body.GetProperty("queuedMessages").GetInt32());
        Assert.All(body.GetProperty("checks").EnumerateArray(), c => Assert.Equal("healthy", c.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Degraded_but_still_200_when_the_clock_runs_more_than_three_scan_periods_past_the_last_tick()
    {
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01")], [Subscriber("desk", "http://127.0.0.1:9/hook")]));
        t.Clock.Reset(Instant.FromUtc(2025, 7, 29, 8, 1));
        await t.Get<ScanService>().TickAsync();

        t.Clock.Reset(Instant.FromUtc(2025, 7, 29, 8, 4)); // exactly three periods: still healthy
        Assert.Equal("healthy", (await GetHealthAsync(t.Services)).Body.GetProperty("status").GetString());

        t.Clock.Reset(Instant.FromUtc(2025, 7, 29, 8, 4, 1));
        var (status, body, _) = await GetHealthAsync(t.Services);

        Assert.Equal(200, status);
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        Assert.Equal(181, body.GetProperty("lagSeconds").GetDouble());
        var scan = body.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "scan");
        Assert.Equal("degraded", scan.GetProperty("status").GetString());
        Assert.Contains("more than 3 scan periods", scan.GetProperty("detail").GetString());
    }

    private static JsonElement Check(JsonElement body, string name) =>
        body.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    [Fact]
    public async Task Degraded_naming_the_age_when_queued_messages_wait_with_nothing_taking_them()
    {
        // The queue stamps a message with its own (real) clock, so the app's fake clock starts at real time.
        await using var t = await TestInstallation.CreateAsync(SystemClock.Instance.GetCurrentInstant());
        await t.Get<AlertQueue>().EnqueueAsync([new DeliveryRef("p", "r1"), new DeliveryRef("p", "r2")]);
        await t.Get<AlertQueue>().EnqueueAsync([new DeliveryRef("q", "r3")]);
        // A delayed retry is not waiting yet: it does not count.
        await t.Get<AlertQueue>().EnqueueAsync([new DeliveryRef("q", "r4", Attempt: 2)], delay: TimeSpan.FromHours(1));

        var (_, fresh, _) = await GetHealthAsync(t.Services);
        Assert.Equal("healthy", Check(fresh, "delivery").GetProperty("status").GetString());
        Assert.InRange(fresh.GetProperty("oldestMessageAgeSeconds").GetDouble(), 0, 30);

        // No consumer: the messages are still there. 12 min 20 s, not 12 min: the queue stamped them a little after the
        // fake clock started (by up to seconds on a loaded machine), so their age is a little under the advance.
        t.Clock.Advance(Duration.FromSeconds(12 * 60 + 20));

        var (status, body, _) = await GetHealthAsync(t.Services);

        Assert.Equal(200, status);
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        Assert.Equal(3, body.GetProperty("queuedMessages").GetInt32());
        Assert.InRange(body.GetProperty("oldestMessageAgeSeconds").GetDouble(), 12 * 60, 12 * 60 + 30);
        var delivery = Check(body, "delivery");
        Assert.Equal("degraded", delivery.GetProperty("status").GetString());
        Assert.Matches(@"^the oldest of 3 queued message\(s\) has waited 12 min, more than 5 min \(DeadlineAlerts__HealthMaxMessageWait\)", delivery.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Degraded_with_the_figure_when_rows_past_their_send_time_pile_up_in_the_unfinished_index()
    {
        await using var t = await TestInstallation.CreateAsync(July29, new Dictionary<string, string?> { ["DeadlineAlerts:HealthMaxOverdueRows"] = "3" });
        var index = t.Get<UnfinishedIndex>();
        await index.AddAsync([
            UnfinishedWork.For("p1", ["a", "b"], July29 - Duration.FromMinutes(10)),
            UnfinishedWork.For("p2", ["c"], July29 - Duration.FromMinutes(1)),
            UnfinishedWork.For("p3", ["d", "e", "f"], July29 + Duration.FromMinutes(5)), // not due yet
        ]);

        var (_, within, _) = await GetHealthAsync(t.Services);
        Assert.Equal(3, within.GetProperty("overdueRows").GetInt32());
        Assert.Equal("healthy", Check(within, "unfinished").GetProperty("status").GetString());
        Assert.Equal("3 ledger row(s) past their send time and not final", Check(within, "unfinished").GetProperty("detail").GetString());

        t.Clock.Advance(Duration.FromMinutes(6)); // p3 is due too: 6 rows, over the threshold of 3

        var (status, body, _) = await GetHealthAsync(t.Services);

        Assert.Equal(200, status);
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        Assert.Equal(4, body.GetProperty("overdueRows").GetInt32()); // counted to one past the threshold
        var unfinished = Check(body, "unfinished");
        Assert.Equal("degraded", unfinished.GetProperty("status").GetString());
        Assert.StartsWith("more than 3 ledger row(s) are past their send time and not final (threshold 3, DeadlineAlerts__HealthMaxOverdueRows)",
            unfinished.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Degraded_naming_a_secret_setting_whose_Key_Vault_reference_did_not_resolve()
    {
        await using var t = await TestInstallation.CreateAsync(July29, new Dictionary<string, string?>
        {
            ["DeadlineAlerts:OperatorKey"] = "@Microsoft.KeyVault(SecretUri=https://kv-abc123.vault.azure.net/secrets/operator-key)",
        });

        var (status, body, text) = await GetHealthAsync(t.Services);

        Assert.Equal(200, status);
        var settings = Check(body, "settings");
        Assert.Equal("degraded", settings.GetProperty("status").GetString());
        Assert.StartsWith("DeadlineAlerts__OperatorKey: Key Vault reference(s) that did not resolve", settings.GetProperty("detail").GetString());
        Assert.DoesNotContain("kv-abc123", text);
    }

    /// <summary>The measured case: health said "healthy" with a lag of −9,615,769 s.</summary>
    [Fact]
    public async Task A_last_tick_in_the_future_by_this_clock_is_clock_skew_and_degraded_with_the_reason()
    {
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01")], [Subscriber("desk", "http://127.0.0.1:9/hook")]));
        t.Clock.Reset(Instant.FromUtc(2025, 7, 29, 8, 1));
        await t.Get<ScanService>().TickAsync();

        t.Clock.Reset(Instant.FromUtc(2025, 7, 29, 8, 1) - Duration.FromMilliseconds(500)); // half a second behind the ticking host: tolerated
        var close = (await GetHealthAsync(t.Services)).Body;
        Assert.Equal("healthy", close.GetProperty("status").GetString());
        Assert.Equal(-0.5, close.GetProperty("lagSeconds").GetDouble());

        t.Clock.Reset(Instant.FromUtc(2025, 7, 29, 7, 56)); // five minutes behind
        var (status, body, _) = await GetHealthAsync(t.Services);

        Assert.Equal(200, status);
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        Assert.Equal(-300, body.GetProperty("lagSeconds").GetDouble());
        var scan = Check(body, "scan");
        Assert.Equal("degraded", scan.GetProperty("status").GetString());
        Assert.StartsWith("the last tick completed 5 min in the future by this host's clock: the clocks of the host that ticked and this one disagree (clock skew)",
            scan.GetProperty("detail").GetString());
        Assert.Equal(["scan"], body.GetProperty("checks").EnumerateArray()
            .Where(c => c.GetProperty("status").GetString() != "healthy").Select(c => c.GetProperty("name").GetString()));
    }

    /// <summary>The measured case: health said <c>queuedMessages: 0</c> while the queue was unreachable.</summary>
    [Fact]
    public async Task With_the_queue_unreachable_its_figures_are_left_out_while_the_tables_figures_stay()
    {
        await using var t = await TestInstallation.CreateAsync(July29);
        await t.ImportAsync(File([Deadline("truce", "2025-08-12T00:01")], [Subscriber("desk", "http://127.0.0.1:9/hook")]));
        t.Clock.Reset(Instant.FromUtc(2025, 7, 29, 8, 1));
        await t.Get<ScanService>().TickAsync();
        // The same installation, seen by a host whose queue endpoint does not answer.
        var storage = TestInstallation.Storage;
        var tables = System.Text.RegularExpressions.Regex.Match(storage, "TableEndpoint=([^;]+)") is { Success: true } m ? m.Groups[1].Value : "http://127.0.0.1:10002/devstoreaccount1";
        var closed = LoopbackReceiver.FreePort();
        const string key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
        // Only its services are disposed: disposing the installation would delete tables the test's own installation owns.
        var host = TestInstallation.CreateEmpty(Instant.FromUtc(2025, 7, 29, 8, 1, 30), new Dictionary<string, string?>
        {
            ["DeadlineAlerts:Storage"] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};TableEndpoint={tables};QueueEndpoint=http://127.0.0.1:{closed}/devstoreaccount1;",
            ["DeadlineAlerts:TablePrefix"] = t.Prefix,
            ["DeadlineAlerts:HealthCheckTimeout"] = "00:00:02",
        });

        var (status, body, _) = await GetHealthAsync(host.Services);
        await host.Services.DisposeAsync();

        Assert.Equal(503, status);
        Assert.Equal("unhealthy", Check(body, "queue").GetProperty("status").GetString());
        Assert.Equal("healthy", Check(body, "tables").GetProperty("status").GetString());
        Assert.False(body.TryGetProperty("queuedMessages", out _));
        Assert.False(body.TryGetProperty("oldestMessageAgeSeconds", out _));
        Assert.Equal(30, body.GetProperty("lagSeconds").GetDouble());
        Assert.Equal(0, body.GetProperty("overdueRows").GetInt32());
        Assert.Equal(0, body.GetProperty("unreadableRecords").GetInt32());
    }

    [Fact]
    public async Task Degraded_when_no_tick_has_completed_yet()
    {
        await using var t = await TestInstallation.CreateAsync(July29);

        var (status, body, _) = await GetHealthAsync(t.Services);

        Assert.Equal(200, status);
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        Assert.False(body.TryGetProperty("lastTick", out _)); // the API leaves out what is null
        Assert.Contains("no tick has completed yet",
            body.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "scan").GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Unhealthy_503_when_storage_is_unreachable_and_the_body_names_no_secret()
    {
        var closed = LoopbackReceiver.FreePort();
        const string key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
        var connection = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};" +
                         $"TableEndpoint=http://127.0.0.1:{closed}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{closed}/devstoreaccount1;";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DeadlineAlerts:Storage"] = connection,
            ["DeadlineAlerts:HealthCheckTimeout"] = "00:00:02",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IClock>(new FakeClock(July29));
        services.AddDeadlineAlerts(configuration);
        await using var provider = services.BuildServiceProvider();

        var (status, body, text) = await GetHealthAsync(provider);

        Assert.Equal(503, status);
        Assert.Equal("unhealthy", body.GetProperty("status").GetString());
        var checks = body.GetProperty("checks").EnumerateArray().ToList();
        Assert.Equal(["tables", "queue"], checks.Select(c => c.GetProperty("name").GetString()));
        Assert.All(checks, c => Assert.Equal("unhealthy", c.GetProperty("status").GetString()));
        // What no probe could read is left out, not reported as 0.
        foreach (var unknown in new[] { "queuedMessages", "lagSeconds", "lastTick", "overdueRows", "unreadableRecords", "oldestMessageAgeSeconds" })
            Assert.False(body.TryGetProperty(unknown, out _), unknown);
        Assert.DoesNotContain(key, text);
        Assert.DoesNotContain("AccountKey", text);
        Assert.DoesNotContain("devstoreaccount1", text);
        Assert.DoesNotContain($":{closed}", text);
    }

    [Fact]
    public async Task Unhealthy_503_when_the_apps_identity_cannot_sign_in()
    {
        var closed = LoopbackReceiver.FreePort();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DeadlineAlerts:Storage:TableServiceUri"] = $"https://127.0.0.1:{closed}/",
            ["DeadlineAlerts:Storage:QueueServiceUri"] = $"https://127.0.0.1:{closed}/",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IClock>(new FakeClock(July29))
            .AddSingleton<TokenCredential>(new NoIdentity()); // what DefaultAzureCredential does where no identity is assigned
        services.AddDeadlineAlerts(configuration);
        await using var provider = services.BuildServiceProvider();

        var (status, body, _) = await GetHealthAsync(provider);

        Assert.Equal(503, status);
        Assert.All(body.GetProperty("checks").EnumerateArray(), c => Assert.Contains("could not be signed in", c.GetProperty("detail").GetString()));
    }

    private sealed class NoIdentity : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new CredentialUnavailableException("ManagedIdentityCredential authentication unavailable. No response received from the managed identity endpoint.");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    [Fact]
    public async Task Health_is_public_while_operator_routes_need_a_key()
    {
        await using var t = await TestInstallation.CreateAsync(July29);
        var router = t.Get<ApiRouter>();

        var route = Assert.Single(router.Routes, r => r.Template == HealthModule.Route);
        Assert.Equal(("GET", ApiAccess.Public), (route.Method, route.Access));
        var response = await router.HandleAsync(new ApiRequest { Method = "GET", Path = "/api/health", Headers = new Dictionary<string, string>() });
        Assert.NotEqual(401, response.Status);
    }
}

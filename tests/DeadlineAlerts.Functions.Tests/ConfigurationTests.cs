using Azure.Core;
using Azure.Identity;
using DeadlineAlerts.App.Deliver;
using DeadlineAlerts.App.Health;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Core.Delivery;
using DeadlineAlerts.Core.Time;
using DeadlineAlerts.Delivery.Email;
using DeadlineAlerts.Delivery.Email.Acs;
using DeadlineAlerts.Delivery.Http;
using DeadlineAlerts.Functions.Functions;
using DeadlineAlerts.Functions.Tests.Support;
using DeadlineAlerts.Storage;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace DeadlineAlerts.Functions.Tests;

/// <summary>
/// The worker's container, built as Program.cs builds it, from the two ways an installation is configured:
/// a connection string (Azurite, account key) and service URIs with the app's identity (Azure). Every service
/// resolves, nothing touches the network while doing so, and each client signs in the way its settings say.
/// </summary>
public sealed class ConfigurationTests
{
    private const string AcsKey = "ZmFrZS1hY3MtYWNjZXNzLWtleS0wMTIzNDU2Nzg5YWJjZGVm";

    private static (ServiceProvider Provider, IServiceCollection Services) Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddDeadlineAlertsFunctions(configuration);
        return (services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }), services);
    }

    /// <summary>Every registration of ours (and the credential and the telemetry providers), plus the function classes.</summary>
    private static void ResolveEverything(ServiceProvider provider, IServiceCollection services)
    {
        var types = services.Select(d => d.ServiceType)
            .Where(t => !t.IsGenericTypeDefinition)
            .Where(t => t.Namespace?.StartsWith("DeadlineAlerts", StringComparison.Ordinal) == true
                        || t == typeof(TokenCredential) || t == typeof(TracerProvider) || t == typeof(MeterProvider))
            .Distinct().ToList();
        Assert.Contains(typeof(HealthService), types);
        foreach (var type in types) Assert.All(provider.GetServices(type), Assert.NotNull);
        foreach (var function in new[] { typeof(ScanDeadlines), typeof(DeliverAlerts), typeof(Health) })
            Assert.NotNull(ActivatorUtilities.CreateInstance(provider, function));
        Assert.Equal(["webhook", "slack", "teams", "email"], provider.GetServices<IAlertChannel>().Select(c => c.Type));
        Assert.NotNull(provider.GetRequiredService<RecordStore>());
        Assert.NotNull(provider.GetRequiredService<ScanService>());
        Assert.NotNull(provider.GetRequiredService<DeliveryService>());
    }

    [Fact]
    public async Task With_a_connection_string_storage_and_ACS_sign_with_their_keys()
    {
        using var acs = new CountingListener();
        var (provider, services) = Build(new()
        {
            ["DeadlineAlerts:Storage"] = TestInstallation.Storage,
            ["DeadlineAlerts:Email:Transport"] = "acs",
            ["DeadlineAlerts:Email:From"] = "alerts@example.com",
            ["DeadlineAlerts:Email:Acs:ConnectionString"] = $"endpoint=https://127.0.0.1:{acs.Port}/;accesskey={AcsKey}",
        });
        await using var _ = provider;

        ResolveEverything(provider, services);

        var storage = provider.GetRequiredService<StorageClients>();
        Assert.Null(storage.Credential); // shared key (or Azurite's well-known key) from the connection string
        var client = Assert.IsType<AcsEmailSender>(provider.GetRequiredService<IEmailSender>()).Client;
        Assert.True(client.UsesAccessKey);
        Assert.Null(client.Credential);
        Assert.Equal(0, storage.Requests.Count);
        Assert.Equal(0, acs.Connections);

        // And the connection string is the real thing: Azurite answers it.
        await foreach (var table in storage.Tables.QueryAsync(maxPerPage: 1)) break;
        Assert.Equal(1, storage.Requests.Count);
    }

    [Fact]
    public async Task With_service_uris_storage_and_ACS_share_the_apps_Entra_credential_and_call_nothing_while_resolving()
    {
        using var azure = new CountingListener(); // stands in for the storage account and the ACS resource
        var (provider, services) = Build(new()
        {
            ["DeadlineAlerts:Storage:TableServiceUri"] = $"https://127.0.0.1:{azure.Port}/",
            ["DeadlineAlerts:Storage:QueueServiceUri"] = $"https://127.0.0.1:{azure.Port}/",
            ["DeadlineAlerts:Storage:ClientId"] = "00000000-0000-0000-0000-0000000000c1",
            ["DeadlineAlerts:Email:Transport"] = "acs",
            ["DeadlineAlerts:Email:From"] = "alerts@example.com",
            ["DeadlineAlerts:Email:Acs:Endpoint"] = $"https://127.0.0.1:{azure.Port}/",
        });
        await using var _ = provider; // the telemetry module is only IAsyncDisposable

        ResolveEverything(provider, services);

        var credential = provider.GetRequiredService<TokenCredential>();
        Assert.IsType<DefaultAzureCredential>(credential);
        var storage = provider.GetRequiredService<StorageClients>();
        Assert.Same(credential, storage.Credential);
        var client = Assert.IsType<AcsEmailSender>(provider.GetRequiredService<IEmailSender>()).Client;
        Assert.False(client.UsesAccessKey);
        Assert.Same(credential, client.Credential);
        Assert.Equal(0, storage.Requests.Count);
        Assert.Equal(0, azure.Connections);
    }

    [Fact]
    public async Task A_connection_string_wins_over_service_uris()
    {
        var (provider, _) = Build(new()
        {
            ["DeadlineAlerts:Storage"] = TestInstallation.Storage,
            ["DeadlineAlerts:Storage:TableServiceUri"] = "https://127.0.0.1:1/",
            ["DeadlineAlerts:Storage:QueueServiceUri"] = "https://127.0.0.1:1/",
        });
        await using var disposing = provider;

        Assert.Null(provider.GetRequiredService<StorageClients>().Credential);
    }

    [Fact]
    public async Task Only_one_service_uri_is_refused_naming_both_settings()
    {
        var (provider, _) = Build(new() { ["DeadlineAlerts:Storage:TableServiceUri"] = "https://127.0.0.1:1/" });
        await using var disposing = provider;

        // Refused when the options are first read: at start under the host (ValidateOnStart), here at the first client.
        var e = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<StorageClients>());
        Assert.Equal("DeadlineAlerts__Storage__QueueServiceUri is not set but DeadlineAlerts__Storage__TableServiceUri is; " +
                     "give both service URIs, or a connection string in DeadlineAlerts__Storage", e.Message);
    }

    [Fact]
    public async Task The_worker_resolves_both_keyed_clocks_with_IClock_over_the_schedule_clock_and_delivery_on_the_wire_clock()
    {
        var (provider, _) = Build(new() { ["DeadlineAlerts:Storage"] = TestInstallation.Storage });
        await using var disposing = provider;

        var schedule = provider.GetRequiredKeyedService<TimeProvider>(Clocks.Schedule);
        var wire = provider.GetRequiredKeyedService<TimeProvider>(Clocks.Wire);

        // In Azure nothing moves the schedule clock: both are the system's time.
        Assert.Same(TimeProvider.System, schedule);
        Assert.Same(TimeProvider.System, wire);
        Assert.Same(schedule, Assert.IsType<TimeProviderClock>(provider.GetRequiredService<IClock>()).Time);
        Assert.Same(wire, provider.GetRequiredService<HttpDelivery>().Wire);
    }
}

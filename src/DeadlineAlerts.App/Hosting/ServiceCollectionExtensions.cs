using Azure.Core;
using Azure.Identity;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.Calendar;
using DeadlineAlerts.App.Deliver;
using DeadlineAlerts.App.Digest;
using DeadlineAlerts.App.Export;
using DeadlineAlerts.App.Health;
using DeadlineAlerts.App.Import;
using DeadlineAlerts.App.Links;
using DeadlineAlerts.App.Milestones;
using DeadlineAlerts.App.Records;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.App.TimeZones;
using DeadlineAlerts.App.Unsubscribe;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Time;
using DeadlineAlerts.Delivery;
using DeadlineAlerts.Storage;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Ledger;
using DeadlineAlerts.Storage.Queue;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Storage.Schedule;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DeadlineAlerts.App.Hosting;

/// <summary>
/// The one place the pipeline is assembled: records → schedule → due alerts → delivery → ledger.
/// The Functions app and the CLI both call this, so they run the same services.
/// </summary>
public static class ServiceCollectionExtensions
{
    public static IServiceCollection AddDeadlineAlerts(this IServiceCollection services, IConfiguration configuration)
    {
        // Fail closed: a setting that is still "@Microsoft.KeyVault(...)" (the platform could not resolve it) is
        // read as not set by everything below, and logged as an error naming it when the host starts.
        (configuration, var keyVaultReferences) = KeyVaultReferences.Guard(configuration);
        services.AddSingleton(keyVaultReferences);
        services.AddHostedService<KeyVaultReferenceLog>();
        // The schedule clock (IClock reads it; `--now` moves it) and the wire clock (always real): ClockRegistration.
        services.AddClocks();
        // The retry backoff's jitter, injected: this registration is the one place product code names Random.Shared
        // (thread-safe, as concurrent deliveries need); a test gives a seeded Random.
        services.TryAddSingleton(Random.Shared);
        services.AddMetrics(); // IMeterFactory: AlertMetrics' meter belongs to this container (TelemetrySetup exports it)
        services.AddSingleton<AlertMetrics>();
        // Every options class is bound here and checked when the host starts (ValidateOnStart; `dla` asks
        // IStartupValidator itself, OptionsCheck): a bad setting stops it there, with a message naming the setting as
        // the user types it, its value (secrets not shown) and what is accepted. The rules: OptionsValidation.cs.
        services.AddOptions<AlertsOptions>().Bind(configuration.GetSection(AlertsOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlertsOptions>, AlertsOptionsValidator>());
        var storage = ReadStorageOptions(configuration, keyVaultReferences);
        services.AddOptions<StorageOptions>().Configure(o => Copy(storage, o)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>>(new StorageOptionsValidator(configuration)));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value);
        // One identity for everything that signs in with Entra ID (storage with service URIs, ACS with an endpoint
        // and no key): DefaultAzureCredential, picking the user-assigned identity DeadlineAlerts:Storage:ClientId
        // (else AZURE_CLIENT_ID). Creating it makes no network call; the first token request does.
        services.TryAddSingleton<TokenCredential>(sp => new DefaultAzureCredential(
            new DefaultAzureCredentialOptions { ManagedIdentityClientId = sp.GetRequiredService<StorageOptions>().ClientId }));
        // The tz data (DeadlineAlerts:TimeZoneData, else embedded): loaded before the storage clients exist, so no
        // record is read with any other zones. IDateTimeZoneProvider is that data's provider.
        services.AddOptions<TimeZoneDataOptions>().Bind(configuration.GetSection(AlertsOptions.Section));
        services.AddSingleton(sp => TimeZoneDataLoader.Load(
            sp.GetRequiredService<IOptions<TimeZoneDataOptions>>(), sp.GetRequiredService<TokenCredential>));
        services.AddSingleton(sp => sp.GetRequiredService<TimeZoneData>().Provider);
        services.AddSingleton(sp =>
        {
            sp.GetRequiredService<KeyVaultReferences>().LogErrors(sp.GetRequiredService<ILogger<KeyVaultReferences>>());
            sp.GetRequiredService<TimeZoneData>();
            var o = sp.GetRequiredService<StorageOptions>();
            return new StorageClients(o, o.UsesCredential ? sp.GetRequiredService<TokenCredential>() : null);
        });
        services.AddSingleton<StorageReadiness>();
        services.AddSingleton<RecordStore>();
        services.AddSingleton<ScheduleIndex>();
        services.AddSingleton<AlertLedger>();
        services.AddSingleton<TickState>();
        services.AddSingleton<Storage.Acknowledgements.AcknowledgementStore>();
        services.AddSingleton<UnreadableRecords>();
        services.AddSingleton<AlertQueue>();
        services.AddSingleton(sp => new RecordReader(sp.GetRequiredService<EndpointPolicy>()));
        services.AddSingleton<AuditLog>(); // the audit trail of RecordWriter, milestones, unsubscribes and operator actions
        services.AddSingleton<RecordWriter>();
        services.AddSingleton<DeadlineRecords>(); // one record at a time: the API's /api/deadlines/{id} and dla deadline
        services.AddSingleton<SubscriberRecords>();
        services.AddSingleton<ImportService>();
        services.AddSingleton<ExportService>();
        // The pipeline, in the order a message travels: producers (the tick for alerts, milestones for notices,
        // digests) → the outbox (ledger rows if absent, queue what is due, sweep what is stranded) → delivery
        // (claim → compose → send → record the outcome) → the ledger.
        services.AddSingleton<UnfinishedIndex>();
        services.AddSingleton<Outbox.Outbox>();
        services.AddSingleton<TimeZones.Replanner>();
        services.AddSingleton<ScanService>();
        services.AddSingleton<DigestService>();
        services.AddSingleton<ClaimStage>();
        services.AddSingleton<ComposeStage>();
        services.AddSingleton<SendStage>();
        services.AddSingleton<RecordOutcomeStage>();
        services.AddSingleton<DeliveryService>();
        services.AddSingleton<LocalQueueRunner>();
        services.AddSingleton<MilestoneService>();
        services.AddSingleton<IApiModule, MilestonesModule>();
        services.AddOptions<ApiOptions>().Bind(configuration.GetSection(ApiOptions.Section));
        services.AddSingleton<ApiRouter>(); // routes come from every IApiModule registered
        services.AddOptions<LinkOptions>().Bind(configuration.GetSection(LinkOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LinkOptions>, LinkOptionsValidator>());
        services.AddSingleton<LinkSigner>();
        services.AddSingleton<SubscriberLinks>();
        services.AddHostedService<LinkCheck>();
        services.AddSingleton<UnsubscribeService>();
        services.AddSingleton<IApiModule, UnsubscribeModule>();
        services.AddSingleton<Acknowledge.AcknowledgeService>();
        services.AddSingleton<Acknowledge.PauseService>();
        services.AddSingleton<IApiModule, Acknowledge.AcknowledgeModule>();
        services.AddSingleton<IApiModule, Acknowledge.SubscriberControlModule>();
        services.AddSingleton<IApiModule, CalendarModule>();
        services.AddSingleton<HealthService>();
        services.AddSingleton<IApiModule, HealthModule>();
        services.AddSingleton<IApiModule, DeadlinesModule>();
        services.AddSingleton<IApiModule, SubscribersModule>();
        services.AddSingleton<IApiModule, AuditModule>();
        services.AddSingleton<Operator.OperatorActions>();
        services.AddSingleton<IApiModule, DeliveryModule>();
        services.AddSingleton<IApiModule, OperatorConsole.ConsoleModule>();
        services.AddDeliveryChannels(configuration);
        return services;
    }

    /// <summary>
    /// <c>DeadlineAlerts:Storage</c> is the connection string; or, for managed identity,
    /// <c>DeadlineAlerts:Storage:TableServiceUri</c> and <c>:QueueServiceUri</c> (+ <c>:ClientId</c>). Neither set:
    /// Azurite's development storage, unless a storage setting was an unresolved Key Vault reference
    /// (<paramref name="references"/>): then <see cref="StorageOptions.Problem"/> says so and the clients refuse to
    /// start, rather than an app in Azure writing to an emulator that is not there.
    /// </summary>
    public static StorageOptions ReadStorageOptions(IConfiguration configuration, KeyVaultReferences? references = null)
    {
        var section = configuration.GetSection("DeadlineAlerts:Storage");
        var o = new StorageOptions
        {
            ConnectionString = section.Value,
            TableServiceUri = Uri.TryCreate(section["TableServiceUri"], UriKind.Absolute, out var t) ? t : null,
            QueueServiceUri = Uri.TryCreate(section["QueueServiceUri"], UriKind.Absolute, out var q) ? q : null,
            ClientId = section["ClientId"],
            TablePrefix = configuration["DeadlineAlerts:TablePrefix"] ?? "",
        };
        if (o.ConnectionString is null && o.TableServiceUri is null)
        {
            if (references?.Unresolved.Where(IsStorageKey).Select(KeyVaultReferences.SettingName).ToList()
                is { Count: > 0 } unresolved)
                o.Problem = $"Storage is not configured: {string.Join(", ", unresolved)} is a Key Vault reference that did not resolve " +
                            "(check that the app's identity has Key Vault Secrets User on the vault, the vault is reachable and the secret exists). " +
                            "The app does not fall back to development storage.";
            else
                o.ConnectionString = StorageOptions.Development;
        }
        return o;
    }

    private static void Copy(StorageOptions from, StorageOptions to)
    {
        to.ConnectionString = from.ConnectionString;
        to.TableServiceUri = from.TableServiceUri;
        to.QueueServiceUri = from.QueueServiceUri;
        to.ClientId = from.ClientId;
        to.TablePrefix = from.TablePrefix;
        to.Problem = from.Problem;
    }

    private static bool IsStorageKey(string key) =>
        key.Equals("DeadlineAlerts:Storage", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("DeadlineAlerts:Storage:", StringComparison.OrdinalIgnoreCase);
}

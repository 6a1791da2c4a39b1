using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;

namespace DeadlineAlerts.Testing;

/// <summary>
/// One isolated installation on Azurite (a fresh table prefix), with a fake clock and the real services.
/// test.sh exports DEADLINEALERTS_TEST_STORAGE for its own Azurite; otherwise the default dev ports are used.
/// </summary>
public sealed class TestInstallation : IAsyncDisposable
{
    public static string Storage =>
        Environment.GetEnvironmentVariable("DEADLINEALERTS_TEST_STORAGE") is { Length: > 0 } s ? s : "UseDevelopmentStorage=true";

    public FakeClock Clock { get; }
    public ServiceProvider Services { get; }
    public string Prefix { get; }
    public Dictionary<string, string?> Settings { get; }

    /// <param name="register">How the host registers the app; default <c>AddDeadlineAlerts</c> (the CLI's call). The
    /// Functions tests pass the worker's own registration.</param>
    private TestInstallation(Instant now, IDictionary<string, string?>? settings, Action<IServiceCollection, IConfiguration>? register)
    {
        Clock = new FakeClock(now);
        Prefix = "t" + Guid.NewGuid().ToString("N")[..12];
        Settings = new Dictionary<string, string?>
        {
            ["DeadlineAlerts:Storage"] = Storage,
            ["DeadlineAlerts:TablePrefix"] = Prefix,
            // The Functions worker's queue trigger binds this (functionapp.bicep sets it from the same prefix).
            ["AlertQueueName"] = StorageNames.For(Prefix).AlertQueue,
            ["DeadlineAlerts:Delivery:AllowHosts"] = "127.0.0.1",
            ["DeadlineAlerts:RetryBaseDelay"] = "00:00:00.050",
            ["DeadlineAlerts:MaxRetryDelay"] = "00:00:00.200",
            ["DeadlineAlerts:MaxAttempts"] = "4",
        };
        foreach (var kv in settings ?? new Dictionary<string, string?>()) Settings[kv.Key] = kv.Value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IClock>(Clock);
        services.AddSingleton<IConfiguration>(configuration);
        (register ?? ((s, c) => s.AddDeadlineAlerts(c)))(services, configuration);
        Services = services.BuildServiceProvider();
    }

    public static async Task<TestInstallation> CreateAsync(Instant now, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection, IConfiguration>? register = null)
    {
        var installation = new TestInstallation(now, settings, register);
        await installation.Get<StorageClients>().EnsureCreatedAsync();
        return installation;
    }

    /// <summary>An installation whose tables and queues do not exist yet: an empty account, as after a first deployment.</summary>
    public static TestInstallation CreateEmpty(Instant now, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection, IConfiguration>? register = null) => new(now, settings, register);

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        var clients = Get<StorageClients>();
        foreach (var t in clients.Names.Tables) await clients.Table(t).DeleteAsync();
        await clients.Queue(clients.Names.AlertQueue).DeleteIfExistsAsync();
        await clients.Queue(clients.Names.PoisonQueue).DeleteIfExistsAsync();
        await Services.DisposeAsync();
    }
}

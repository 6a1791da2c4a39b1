using System.Diagnostics;
using System.Reflection;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.Storage;
using DeadlineAlerts.Testing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;

namespace DeadlineAlerts.Functions.Tests;

/// <summary>
/// After `azd up` the storage account is empty: nothing but the app creates its tables and queues. The worker does at
/// start, without holding the start up, and every timer runs on an empty account without throwing.
/// </summary>
public sealed class EmptyAccountTests
{
    private static readonly Instant Now = Instant.FromUtc(2025, 7, 29, 8, 0);

    /// <summary>Every [TimerTrigger] function of the worker, found the way the host finds them.</summary>
    public static IEnumerable<MethodInfo> TimerFunctions() =>
        typeof(FunctionsServices).Assembly.GetTypes().SelectMany(t => t.GetMethods())
            .Where(m => m.GetCustomAttribute<FunctionAttribute>() is not null
                        && m.GetParameters().Any(p => p.GetCustomAttribute<TimerTriggerAttribute>() is not null));

    private static async Task RunEveryTimerOnceAsync(IServiceProvider services)
    {
        var timers = TimerFunctions().ToList();
        Assert.Equal(["ScanDeadlines", "SendDigests"], timers.Select(m => m.DeclaringType!.Name).Order());
        foreach (var method in timers)
        {
            var function = ActivatorUtilities.CreateInstance(services, method.DeclaringType!);
            var args = method.GetParameters().Select(p => p.ParameterType == typeof(TimerInfo) ? new TimerInfo()
                : p.ParameterType == typeof(CancellationToken) ? (object)CancellationToken.None
                : throw new InvalidOperationException($"{method.DeclaringType!.Name}.{method.Name}: unexpected parameter {p.Name}")).ToArray();
            await (Task)method.Invoke(function, args)!;
        }
    }

    private static async Task<List<string>> ExistingAsync(StorageClients clients)
    {
        var names = new List<string>();
        await foreach (var t in clients.Tables.QueryAsync(t => t.Name.CompareTo(clients.Names.Prefix) >= 0 && t.Name.CompareTo(clients.Names.Prefix + "~") < 0))
            names.Add(t.Name);
        await foreach (var q in clients.Queues.GetQueuesAsync(prefix: clients.Names.AlertQueue))
            names.Add(q.Name);
        return names;
    }

    private static List<string> Expected(StorageNames names) =>
        [.. names.Tables.Append(names.AlertQueue).Append(names.PoisonQueue).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task The_worker_creates_its_tables_and_queues_at_start_and_every_timer_then_runs()
    {
        var logs = new CapturedLogs();
        await using var t = TestInstallation.CreateEmpty(Now, register: (s, c) =>
        {
            s.AddSingleton<ILoggerProvider>(logs);
            s.AddDeadlineAlertsFunctions(c);
        });
        var clients = t.Get<StorageClients>();
        Assert.Empty(await ExistingAsync(clients));

        foreach (var hosted in t.Services.GetServices<IHostedService>()) await hosted.StartAsync(CancellationToken.None);
        await t.Get<StorageAtStart>().Completion;

        Assert.Equal(Expected(clients.Names), (await ExistingAsync(clients)).Order(StringComparer.Ordinal));
        Assert.True(t.Get<StorageReadiness>().IsReady);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning && e.Category.StartsWith("DeadlineAlerts.App.Hosting", StringComparison.Ordinal));
        await RunEveryTimerOnceAsync(t.Services);
        foreach (var hosted in t.Services.GetServices<IHostedService>()) await hosted.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_first_tick_on_an_empty_account_creates_what_it_needs_without_the_start_up_step()
    {
        await using var t = TestInstallation.CreateEmpty(Now, register: (s, c) => s.AddDeadlineAlertsFunctions(c));
        var clients = t.Get<StorageClients>();

        await RunEveryTimerOnceAsync(t.Services); // no hosted service started: the timers alone

        Assert.Equal(Expected(clients.Names), (await ExistingAsync(clients)).Order(StringComparer.Ordinal));
        Assert.True(t.Get<StorageReadiness>().IsReady);
    }

    [Fact]
    public async Task Unreachable_storage_does_not_hold_the_worker_start_up_and_is_retried_in_the_background()
    {
        var closed = LoopbackReceiver.FreePort();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DeadlineAlerts:Storage"] = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;" +
                                         $"TableEndpoint=http://127.0.0.1:{closed}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{closed}/devstoreaccount1;",
        }).Build();
        var logs = new CapturedLogs();
        var services = new ServiceCollection().AddLogging(b => b.AddProvider(logs)).AddSingleton<IConfiguration>(configuration)
            .AddSingleton<IClock>(new FakeClock(Now));
        services.AddDeadlineAlertsFunctions(configuration);
        await using var provider = services.BuildServiceProvider();
        var atStart = provider.GetRequiredService<StorageAtStart>();

        var started = Stopwatch.StartNew();
        await atStart.StartAsync(CancellationToken.None);
        started.Stop();

        Assert.True(started.Elapsed < StorageAtStart.FirstAttemptWait + TimeSpan.FromSeconds(3), $"start took {started.Elapsed}");
        Assert.False(atStart.Completion.IsCompleted); // still trying
        var deadline = Stopwatch.StartNew();
        while (!logs.Entries.Any(e => e.Message.StartsWith("StorageEnsureFailed", StringComparison.Ordinal)) && deadline.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(100);
        var failed = logs.Entries.First(e => e.Message.StartsWith("StorageEnsureFailed", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, failed.Level);
        Assert.DoesNotContain($":{closed}", failed.AllText);
        Assert.DoesNotContain("devstoreaccount1", failed.AllText);

        await atStart.StopAsync(CancellationToken.None);
        Assert.True(atStart.Completion.IsCompleted);
    }
}

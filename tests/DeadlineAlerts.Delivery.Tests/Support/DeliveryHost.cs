using DeadlineAlerts.Core.Delivery;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace DeadlineAlerts.Delivery.Tests.Support;

/// <summary>The real container wiring (<see cref="DeliveryServiceCollectionExtensions.AddDeliveryChannels"/>) over in-memory settings.</summary>
public static class DeliveryHost
{
    public static readonly Instant Now = Alerts.Due - Duration.FromDays(7);

    public static ServiceProvider Build(IDictionary<string, string?> settings, Action<IServiceCollection>? extra = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IClock>(new FakeClock(Now));
        extra?.Invoke(services);
        services.AddDeliveryChannels(configuration);
        return services.BuildServiceProvider();
    }

    public static ServiceProvider AllowingLoopback(LoopbackHttpServer server, params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?> { ["DeadlineAlerts:Delivery:AllowHosts"] = server.HostAndPort };
        foreach (var (k, v) in more) settings[k] = v;
        return Build(settings);
    }

    public static IAlertChannel Channel(this IServiceProvider services, string type) =>
        services.GetServices<IAlertChannel>().Single(c => c.Type == type);
}

using DeadlineAlerts.Core.Delivery;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Delivery.Webhook;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;

namespace DeadlineAlerts.Delivery;

public static class DeliveryServiceCollectionExtensions
{
    public const string HttpClientName = "DeadlineAlerts.Delivery";

    /// <summary>Registers every <see cref="IAlertChannel"/> and the options they read.</summary>
    public static IServiceCollection AddDeliveryChannels(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DeliveryOptions>().Bind(configuration.GetSection(DeliveryOptions.Section));
        services.AddSingleton(sp => EndpointPolicy.FromSetting(sp.GetRequiredService<IOptions<DeliveryOptions>>().Value.AllowHosts));
        services.AddHttpClient(HttpClientName, (sp, client) =>
            client.Timeout = sp.GetRequiredService<IOptions<DeliveryOptions>>().Value.RequestTimeout);

        services.AddSingleton<IAlertChannel>(sp => new WebhookChannel(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName), sp.GetRequiredService<IClock>()));
        return services;
    }
}

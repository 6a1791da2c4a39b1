using Azure.Core;
using DeadlineAlerts.Core.Delivery;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Time;
using DeadlineAlerts.Delivery.Email;
using DeadlineAlerts.Delivery.Email.Acs;
using DeadlineAlerts.Delivery.Email.Pickup;
using DeadlineAlerts.Delivery.Email.Smtp;
using DeadlineAlerts.Delivery.Http;
using DeadlineAlerts.Delivery.Slack;
using DeadlineAlerts.Delivery.Teams;
using DeadlineAlerts.Delivery.Webhook;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace DeadlineAlerts.Delivery;

public static class DeliveryServiceCollectionExtensions
{
    /// <summary>Webhook, Slack and Teams: SSRF-guarded, rate-limited, per-request timeout.</summary>
    public const string HttpClientName = "DeadlineAlerts.Delivery";

    /// <summary>ACS Email: an operator-configured endpoint, so no SSRF guard; timeout per request.</summary>
    public const string AcsHttpClientName = "DeadlineAlerts.Delivery.Acs";

    /// <summary>
    /// Registers every <see cref="IAlertChannel"/> (webhook, slack, teams, email) and the options they read.
    /// The HTTP pipeline, read top to bottom: rate limit per destination → per-request timeout → guarded
    /// connect (resolved address checked against <see cref="EndpointPolicy"/>). An optional
    /// <see cref="TokenCredential"/> in the container replaces <c>DefaultAzureCredential</c> for ACS.
    /// </summary>
    public static IServiceCollection AddDeliveryChannels(this IServiceCollection services, IConfiguration configuration)
    {
        // Checked when the host starts (ValidateOnStart; the CLI asks IStartupValidator itself): a bad number stops it
        // there with a message naming the setting, not at the first send.
        services.AddOptions<DeliveryOptions>().Bind(configuration.GetSection(DeliveryOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DeliveryOptions>, DeliveryOptionsValidator>());
        services.AddOptions<EmailOptions>().Bind(configuration.GetSection(EmailOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmailOptions>, EmailOptionsValidator>());
        // The wire clock (Clocks.Wire): real time for everything a receiver checks against its own clock
        // (webhook-timestamp, ACS x-ms-date, SMTP Date, Retry-After dates, pacing). The schedule clock (Clocks.Schedule),
        // which `dla --now` moves, is registered by the app; nothing here reads it.
        services.TryAddKeyedSingleton(Clocks.Wire, TimeProvider.System);
        services.AddSingleton(sp => EndpointPolicy.FromSetting(sp.GetRequiredService<IOptions<DeliveryOptions>>().Value.AllowHosts));
        services.AddSingleton<HostRateLimiter>();

        // Both clients write no logs: HttpClientFactory's would name each request's URL (a channel's secret) in a
        // message and in a log scope that every log line written during the send carries. Spans are redacted instead.
        services.AddHttpClient(HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(sp => GuardedConnect.CreateHandler(sp.GetRequiredService<EndpointPolicy>()))
            .AddHttpMessageHandler(sp => new RateLimitHandler(sp.GetRequiredService<HostRateLimiter>()))
            .AddHttpMessageHandler(sp =>
            {
                var options = sp.GetRequiredService<IOptions<DeliveryOptions>>();
                return new RequestTimeoutHandler(() => options.Value.RequestTimeout);
            });
        services.AddHttpClient(AcsHttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
            .AddHttpMessageHandler(sp =>
            {
                var options = sp.GetRequiredService<IOptions<EmailOptions>>();
                return new RequestTimeoutHandler(() => options.Value.Acs.RequestTimeout);
            });

        services.AddSingleton(sp => new HttpDelivery(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName), sp.GetRequiredService<EndpointPolicy>(), sp.GetRequiredKeyedService<TimeProvider>(Clocks.Wire)));
        services.AddSingleton<IAlertChannel>(sp => new WebhookChannel(sp.GetRequiredService<HttpDelivery>()));
        services.AddSingleton<IAlertChannel>(sp => new SlackChannel(sp.GetRequiredService<HttpDelivery>()));
        services.AddSingleton<IAlertChannel>(sp => new TeamsChannel(sp.GetRequiredService<HttpDelivery>()));

        services.AddSingleton(sp => new EmailRenderer(sp.GetRequiredService<IOptions<EmailOptions>>().Value));
        services.AddSingleton(CreateEmailSender);
        services.AddSingleton<IAlertChannel>(sp => new EmailChannel(sp.GetRequiredService<EmailRenderer>(), sp.GetRequiredService<IEmailSender>()));
        return services;
    }

    /// <summary>
    /// Picks the transport from <c>DeadlineAlerts__Email__Transport</c>. Settings that cannot work give an
    /// <see cref="UnconfiguredEmailSender"/> (sends are retried, naming what to fix) and a startup warning,
    /// rather than a host that fails to start because one channel is misconfigured.
    /// </summary>
    public static IEmailSender CreateEmailSender(IServiceProvider sp)
    {
        var options = sp.GetRequiredService<IOptions<EmailOptions>>().Value;
        var wire = sp.GetRequiredKeyedService<TimeProvider>(Clocks.Wire); // ACS x-ms-date and pacing, SMTP/pickup Date
        var logger = sp.GetService<ILoggerFactory>()?.CreateLogger("DeadlineAlerts.Delivery.Email");
        IEmailSender sender;
        try
        {
            var transport = options.Transport?.Trim().ToLowerInvariant();
            if (transport is not (null or "" or "pickup") && !EmailAddress.IsValid(options.From))
                throw new InvalidOperationException("set DeadlineAlerts__Email__From to the sender address");
            sender = transport switch
            {
                "acs" => new AcsEmailSender(new AcsEmailClient(
                    sp.GetRequiredService<IHttpClientFactory>().CreateClient(AcsHttpClientName), options.Acs,
                    sp.GetService<TokenCredential>(), wire, sp.GetService<ILogger<AcsEmailClient>>()), options),
                "smtp" => SmtpEmailSender.Problem(options.Smtp) is { } problem
                    ? throw new InvalidOperationException(problem)
                    : new SmtpEmailSender(options, wire),
                "pickup" => string.IsNullOrWhiteSpace(options.PickupDirectory)
                    ? throw new InvalidOperationException("set DeadlineAlerts__Email__PickupDirectory for Transport=pickup")
                    : new PickupDirectorySender(PickupDefaults(options), wire),
                null or "" => throw new InvalidOperationException("set DeadlineAlerts__Email__Transport to acs, smtp or pickup"),
                _ => throw new InvalidOperationException("DeadlineAlerts__Email__Transport must be acs, smtp or pickup"),
            };
        }
        catch (InvalidOperationException e)
        {
            logger?.LogWarning("Email channel disabled: {Problem}", e.Message);
            return new UnconfiguredEmailSender(e.Message);
        }
        logger?.LogInformation("Email channel uses the {Transport} transport", sender.Name);
        return sender;
    }

    private static EmailOptions PickupDefaults(EmailOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.From)) options.From = "alerts@deadline-alerts.localhost";
        return options;
    }
}

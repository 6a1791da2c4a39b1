using DeadlineAlerts.App.Hosting;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DeadlineAlerts.Functions;

/// <summary>
/// Everything the worker registers, in one call that Program.cs makes and the tests make too, so the tests
/// resolve the container the app really runs.
/// </summary>
public static class FunctionsServices
{
    /// <summary>The provider the Application Insights SDK registers for ILogger; its default rule drops Information.</summary>
    public const string ApplicationInsightsLoggerProvider =
        "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider";

    public static IServiceCollection AddDeadlineAlertsFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        // The worker sends its own ILogger output straight to Application Insights (not through the host), so the
        // structured properties of DeadlineAlerts' events become customDimensions. See docs/telemetry.md.
        services.AddApplicationInsightsTelemetryWorkerService();
        services.ConfigureFunctionsApplicationInsights();
        // The SDK adds a rule that lets only Warning and above reach Application Insights; AlertPlanned,
        // AlertDelivered and TickCompleted are Information. Registered after the SDK's rule, so it runs after it.
        services.Configure<LoggerFilterOptions>(options =>
        {
            var rule = options.Rules.FirstOrDefault(r => r.ProviderName == ApplicationInsightsLoggerProvider);
            if (rule is not null) options.Rules.Remove(rule);
        });
        // Delivery URLs are secrets (a Slack token is the path, Teams has sig= in the query). HttpClientFactory logs
        // each request's URL at Information, and the SDK records it on each dependency: keep both out of telemetry.
        services.AddLogging(b => b.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning));
        services.AddSingleton<ITelemetryInitializer, RedactHttpDependencyUrls>();
        services.AddDeadlineAlerts(configuration);
        // The queue trigger must listen where the app writes (AlertQueueName against the prefix): refuse to start otherwise.
        services.AddHostedService<AlertQueueCheck>();
        services.AddHostedService<TimeZoneDataStartupLog>();
        // Nothing else creates the tables and queues in Azure: the worker does, at start, without holding it up.
        services.AddSingleton<StorageAtStart>();
        services.AddHostedService(sp => sp.GetRequiredService<StorageAtStart>());
        return services;
    }
}

using DeadlineAlerts.App.Hosting;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DeadlineAlerts.Functions;

/// <summary>
/// Everything the worker registers, in one call that Program.cs makes and the tests make too, so the tests
/// resolve the container the app really runs.
/// </summary>
public static class FunctionsServices
{
    public static IServiceCollection AddDeadlineAlertsFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        // OpenTelemetry (docs/telemetry.md): the worker exports its own traces, metrics and logs, to Azure Monitor
        // when APPLICATIONINSIGHTS_CONNECTION_STRING is set (the template sets it), to OTLP when
        // OTEL_EXPORTER_OTLP_ENDPOINT is. The Functions defaults add the invocation spans and the app's resource
        // attributes; host.json's "telemetryMode": "OpenTelemetry" makes the host export the same way.
        services.AddDeadlineAlertsTelemetry(configuration, serviceName: "DeadlineAlerts.Functions")
            .UseFunctionsWorkerDefaults();
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

using System.Diagnostics;
using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using DeadlineAlerts.Core.Records;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DeadlineAlerts.App.Hosting;

/// <summary>
/// OpenTelemetry for both hosts, in one place: traces (DeadlineAlerts' tick and delivery spans, outgoing HTTP),
/// metrics (<see cref="AlertMetrics"/>, HttpClient's request duration) and logs (every <c>ILogger</c> event, with
/// its EventId, name and template properties). Exporters are on only when configured, the same way in both hosts:
/// <list type="bullet">
/// <item><c>APPLICATIONINSIGHTS_CONNECTION_STRING</c>: Azure Monitor (Application Insights), authenticated with
/// Entra ID when <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> is <c>Authorization=AAD;ClientId=...</c>;</item>
/// <item><c>OTEL_EXPORTER_OTLP_ENDPOINT</c>: OTLP (with the other standard <c>OTEL_EXPORTER_OTLP_*</c> settings);</item>
/// <item><c>DeadlineAlerts__Telemetry__Console=true</c>: the console, for a look at what would be sent.</item>
/// </list>
/// Channel URLs are secrets (a Slack token is the path, Teams puts <c>sig=</c> in the query): outgoing HTTP spans
/// keep scheme, host and port only (<see cref="RedactUrlProcessor"/>), and the delivery HttpClients write no logs
/// or log scopes at all (<c>RemoveAllLoggers</c> in AddDeliveryChannels).
/// </summary>
public static class TelemetrySetup
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ConsoleSetting = "DeadlineAlerts:Telemetry:Console";

    /// <summary>Whether any exporter is configured (the CLI registers nothing otherwise).</summary>
    public static bool AnyExporter(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[ConnectionStringSetting])
        || !string.IsNullOrWhiteSpace(configuration[OtlpEndpointSetting])
        || configuration.GetValue<bool>(ConsoleSetting);

    /// <summary>
    /// Registers the providers, the instrumentation and the configured exporters. <paramref name="serviceName"/> is
    /// <c>service.name</c> (the cloud role in Application Insights); the Functions worker's resource detector
    /// replaces it with the app's name in Azure. The returned builder takes host-specific additions.
    /// </summary>
    public static IOpenTelemetryBuilder AddDeadlineAlertsTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName)
    {
        var azureMonitor = configuration[ConnectionStringSetting] is { Length: > 0 } cs ? cs : null;
        var credential = azureMonitor is null ? null : AzureMonitorCredential(configuration[AuthenticationStringSetting]);
        var console = configuration.GetValue<bool>(ConsoleSetting);
        void AzureMonitor(AzureMonitorExporterOptions o)
        {
            o.ConnectionString = azureMonitor;
            if (credential is not null) o.Credential = credential;
            // Spans are sampled (the exporter's default: at most TracesPerSecond, 5); log events never are, so
            // the event queries in docs/telemetry.md count every alert. The metrics are never sampled either.
            o.EnableTraceBasedLogsSampler = false;
        }

        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName, serviceVersion: typeof(TelemetrySetup).Assembly.GetName().Version?.ToString(3)))
            .WithTracing(t =>
            {
                // First, so every exporter added after it (here, by the host or by a test) sees the redacted span.
                t.AddProcessor(new RedactUrlProcessor());
                t.AddSource(AlertMetrics.MeterName);
                t.AddHttpClientInstrumentation();
                if (azureMonitor is not null) t.AddAzureMonitorTraceExporter(AzureMonitor);
                if (console) t.AddConsoleExporter();
            })
            .WithMetrics(m =>
            {
                m.AddMeter(AlertMetrics.MeterName);
                m.AddHttpClientInstrumentation(); // http.client.request.duration: server.address, never the path
                if (azureMonitor is not null) m.AddAzureMonitorMetricExporter(AzureMonitor);
                if (console) m.AddConsoleExporter();
            })
            .WithLogging(l =>
            {
                if (azureMonitor is not null) l.AddAzureMonitorLogExporter(AzureMonitor);
                if (console) l.AddConsoleExporter();
            }, o =>
            {
                o.IncludeFormattedMessage = true;
                o.IncludeScopes = true;
            });
        if (!string.IsNullOrWhiteSpace(configuration[OtlpEndpointSetting])) otel.UseOtlpExporter();
        // DeadlineAlerts' events are Information; a host may show less on its console (dla without --verbose)
        // and still send them. HttpClient categories stay at Warning for every provider.
        services.AddLogging(b => b
            .AddFilter<OpenTelemetryLoggerProvider>("DeadlineAlerts", LogLevel.Information)
            .AddFilter("System.Net.Http.HttpClient", LogLevel.Warning));
        return otel;
    }

    /// <summary>
    /// A container built without the Generic Host (the CLI's) does not run the hosted service that creates the
    /// tracer and meter providers: create them, so they listen from now on. Disposing the container flushes them.
    /// </summary>
    public static void StartWithoutHost(IServiceProvider services)
    {
        services.GetService<TracerProvider>();
        services.GetService<MeterProvider>();
    }

    /// <summary>
    /// <c>Authorization=AAD;ClientId=&lt;id&gt;</c> (what the Functions host reads, and what infra sets): the
    /// user-assigned managed identity with that client id; <c>Authorization=AAD</c> alone: the system-assigned one.
    /// Anything else: no credential, the connection string's instrumentation key alone.
    /// </summary>
    public static TokenCredential? AzureMonitorCredential(string? authenticationString)
    {
        if (string.IsNullOrWhiteSpace(authenticationString)) return null;
        var parts = authenticationString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var kind) || !kind.Equals("AAD", StringComparison.OrdinalIgnoreCase)) return null;
        return parts.TryGetValue("ClientId", out var clientId) && clientId.Length > 0
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }
}

/// <summary>
/// Outgoing HTTP spans with the target's secret parts removed before any exporter sees them: <c>url.full</c>
/// (and the older <c>http.url</c>) become <see cref="Redaction.Url"/>'s <c>scheme://host:port/***</c>, the path,
/// query and target tags go, and a client span name that holds a path becomes the method alone. <c>server.address</c>
/// and <c>server.port</c> stay, so a slow or failing receiver is still recognisable.
/// </summary>
public sealed class RedactUrlProcessor : BaseProcessor<Activity>
{
    private static readonly string[] UrlTags = ["url.full", "http.url"];
    private static readonly string[] DroppedTags = ["url.path", "url.query", "http.target"];

    public override void OnStart(Activity data) => Redact(data);

    public override void OnEnd(Activity data) => Redact(data);

    public static void Redact(Activity activity)
    {
        var any = false;
        foreach (var tag in UrlTags)
        {
            if (activity.GetTagItem(tag) is string url)
            {
                activity.SetTag(tag, Redaction.Url(url));
                any = true;
            }
        }
        foreach (var tag in DroppedTags)
        {
            if (activity.GetTagItem(tag) is not null)
            {
                activity.SetTag(tag, null);
                any = true;
            }
        }
        // .NET names its client spans by method alone; older instrumentation used "POST /path" or the URL.
        if (any && activity.Kind == ActivityKind.Client && activity.DisplayName.Contains('/'))
            activity.DisplayName = activity.GetTagItem("http.request.method") as string
                                   ?? activity.GetTagItem("http.method") as string ?? "HTTP";
    }
}

using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;

namespace DeadlineAlerts.Functions;

/// <summary>
/// The SDK records every outgoing HTTP call as a dependency named <c>POST /path</c> with the full URL as its data.
/// Delivery URLs are secrets: a Slack webhook's token is its path, a Teams Workflows URL carries <c>sig=</c> in its
/// query. So HTTP dependencies keep the method, scheme, host and port, and lose path and query.
/// </summary>
public sealed class RedactHttpDependencyUrls : ITelemetryInitializer
{
    public void Initialize(ITelemetry telemetry)
    {
        if (telemetry is not DependencyTelemetry d || d.Type?.StartsWith("Http", StringComparison.OrdinalIgnoreCase) != true) return;
        if (!Uri.TryCreate(d.Data, UriKind.Absolute, out var uri)) return;
        var method = d.Name?.Split(' ', 2)[0];
        d.Data = uri.GetLeftPart(UriPartial.Authority) + "/…";
        d.Name = string.IsNullOrEmpty(method) || method.Contains('/') ? uri.Authority : $"{method} {uri.Authority}";
    }
}

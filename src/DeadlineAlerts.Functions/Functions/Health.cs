using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.Health;
using DeadlineAlerts.Functions.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace DeadlineAlerts.Functions.Functions;

/// <summary>
/// <c>GET /api/health</c>, anonymous (no function key), for uptime probes: 200 with the report while the app can
/// work (healthy or degraded), 503 when storage is unreachable. The answer comes from <see cref="HealthModule"/>
/// through the same router <c>dla serve</c> uses.
/// </summary>
public sealed class Health(ApiRouter router)
{
    [Function(nameof(Health))]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequestData request, CancellationToken cancellationToken)
    {
        var api = await FunctionsHttp.ToApiRequestAsync(request, HealthModule.Route, hostAuthenticated: false, cancellationToken);
        return await FunctionsHttp.ToResponseAsync(request, await router.HandleAsync(api, cancellationToken), cancellationToken);
    }
}

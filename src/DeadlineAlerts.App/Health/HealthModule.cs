using DeadlineAlerts.App.Api;

namespace DeadlineAlerts.App.Health;

/// <summary>
/// <c>GET /api/health</c>, public: 200 with the report while the app can work (healthy or degraded), 503 when it
/// cannot reach its storage. Never cached. For load balancers, uptime probes and the operator's first look.
/// </summary>
public sealed class HealthModule(HealthService health) : IApiModule
{
    public const string Route = "/api/health";

    public void Map(ApiRouteTable routes) => routes.Get(Route, ApiAccess.Public, async (_, ct) =>
    {
        var report = await health.CheckAsync(ct);
        var response = ApiResponse.Json(report.HttpStatus, report);
        response.Headers["Cache-Control"] = "no-store";
        return response;
    });
}

using DeadlineAlerts.App.Api;
using DeadlineAlerts.Functions.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace DeadlineAlerts.Functions.Functions.Api;

/// <summary>
/// The operator routes behind the host's function key (<c>AuthorizationLevel.Function</c>: <c>?code=</c> or
/// <c>x-functions-key</c>). Each trigger takes a whole route family (<c>{*rest}</c> also matches none) and
/// every method the router might answer, so unknown ids and methods get the router's 404 and 405 problem
/// bodies rather than the host's empty ones.
/// </summary>
public sealed class OperatorApi(ApiRouter router)
{
    [Function("ApiDeadlines")]
    public Task<HttpResponseData> Deadlines(
        [HttpTrigger(AuthorizationLevel.Function, "get", "head", "post", "put", "patch", "delete", Route = "deadlines/{*rest}")] HttpRequestData request,
        CancellationToken cancellationToken) =>
        FunctionsHttp.HandleAsync(router, request, FunctionsHttp.RoutePath(request, "deadlines"), hostAuthenticated: true, cancellationToken);

    [Function("ApiSubscribers")]
    public Task<HttpResponseData> Subscribers(
        [HttpTrigger(AuthorizationLevel.Function, "get", "head", "post", "put", "patch", "delete", Route = "subscribers/{*rest}")] HttpRequestData request,
        CancellationToken cancellationToken) =>
        FunctionsHttp.HandleAsync(router, request, FunctionsHttp.RoutePath(request, "subscribers"), hostAuthenticated: true, cancellationToken);

    [Function("ApiAudit")]
    public Task<HttpResponseData> Audit(
        [HttpTrigger(AuthorizationLevel.Function, "get", "head", "post", "put", "patch", "delete", Route = "audit")] HttpRequestData request,
        CancellationToken cancellationToken) =>
        FunctionsHttp.HandleAsync(router, request, FunctionsHttp.RoutePath(request, "audit"), hostAuthenticated: true, cancellationToken);

    [Function("ApiAlerts")]
    public Task<HttpResponseData> Alerts(
        [HttpTrigger(AuthorizationLevel.Function, "get", "head", "post", "put", "patch", "delete", Route = "alerts/{*rest}")] HttpRequestData request,
        CancellationToken cancellationToken) =>
        FunctionsHttp.HandleAsync(router, request, FunctionsHttp.RoutePath(request, "alerts"), hostAuthenticated: true, cancellationToken);

    [Function("ApiPoison")]
    public Task<HttpResponseData> Poison(
        [HttpTrigger(AuthorizationLevel.Function, "get", "head", "post", "put", "patch", "delete", Route = "poison/{*rest}")] HttpRequestData request,
        CancellationToken cancellationToken) =>
        FunctionsHttp.HandleAsync(router, request, FunctionsHttp.RoutePath(request, "poison"), hostAuthenticated: true, cancellationToken);
}

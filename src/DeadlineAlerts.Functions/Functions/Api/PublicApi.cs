using DeadlineAlerts.App.Api;
using DeadlineAlerts.Functions.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace DeadlineAlerts.Functions.Functions.Api;

/// <summary>
/// Routes a subscriber opens from a message or a calendar app, where no function key can be sent
/// (<c>AuthorizationLevel.Anonymous</c>): each checks its own signed token, and an operator key never
/// counts here because the host has authenticated nothing.
/// </summary>
public sealed class PublicApi(ApiRouter router)
{
    [Function("ApiUnsubscribe")]
    public Task<HttpResponseData> Unsubscribe(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", "post", Route = "unsubscribe")] HttpRequestData request,
        CancellationToken cancellationToken) =>
        FunctionsHttp.HandleAsync(router, request, FunctionsHttp.RoutePath(request, "unsubscribe"), hostAuthenticated: false, cancellationToken);

    [Function("ApiAcknowledge")]
    public Task<HttpResponseData> Acknowledge(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", "post", Route = "acknowledge")] HttpRequestData request,
        CancellationToken cancellationToken) =>
        FunctionsHttp.HandleAsync(router, request, FunctionsHttp.RoutePath(request, "acknowledge"), hostAuthenticated: false, cancellationToken);

    [Function("ApiCalendar")]
    public Task<HttpResponseData> Calendar(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "calendar/{*rest}")] HttpRequestData request,
        CancellationToken cancellationToken) =>
        FunctionsHttp.HandleAsync(router, request, FunctionsHttp.RoutePath(request, "calendar"), hostAuthenticated: false, cancellationToken);
}

using System.Diagnostics.CodeAnalysis;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.OperatorConsole;
using DeadlineAlerts.Functions.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace DeadlineAlerts.Functions.Functions.Api;

/// <summary>
/// The operator console in Azure. <c>Console</c> serves the page's files anonymously (they hold no data, and a
/// browser cannot send a function key when it opens a page) at <c>/api/console/</c>, host.json's route prefix
/// included; the page then calls the operator routes with the function key typed into "Operator key", sent as
/// <c>x-functions-key</c>. The routes only the console needed so far (session, zones, schedule) run behind the
/// function key like every operator route.
/// </summary>
public sealed class ConsoleApi(ApiRouter router)
{
    [Function("Console")]
    [SuppressMessage("Performance", "CA1822", Justification = "The worker's functions are its class's instance methods; this one needs no router.")]
    public async Task<HttpResponseData> Page(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "console/{*path}")] HttpRequestData request,
        CancellationToken cancellationToken)
    {
        var path = request.Url.AbsolutePath;
        var at = path.IndexOf("/console", StringComparison.OrdinalIgnoreCase);
        var file = at < 0 ? "" : path[(at + "/console".Length)..];
        var answer = file.Length == 0
            ? ConsolePage.Redirect(path + "/") // the page's files are relative to its folder
            : ConsolePage.Answer(Uri.UnescapeDataString(file), ConsoleKeyHeader.FunctionKey);
        return await FunctionsHttp.ToResponseAsync(request, answer, cancellationToken);
    }

    [Function("ApiSession")]
    public Task<HttpResponseData> Session(
        [HttpTrigger(AuthorizationLevel.Function, "get", "head", "post", "put", "patch", "delete", Route = "session")] HttpRequestData request,
        CancellationToken cancellationToken) =>
        FunctionsHttp.HandleAsync(router, request, FunctionsHttp.RoutePath(request, "session"), hostAuthenticated: true, cancellationToken);

    [Function("ApiZones")]
    public Task<HttpResponseData> Zones(
        [HttpTrigger(AuthorizationLevel.Function, "get", "head", "post", "put", "patch", "delete", Route = "zones")] HttpRequestData request,
        CancellationToken cancellationToken) =>
        FunctionsHttp.HandleAsync(router, request, FunctionsHttp.RoutePath(request, "zones"), hostAuthenticated: true, cancellationToken);

    [Function("ApiSchedule")]
    public Task<HttpResponseData> Schedule(
        [HttpTrigger(AuthorizationLevel.Function, "get", "head", "post", "put", "patch", "delete", Route = "schedule")] HttpRequestData request,
        CancellationToken cancellationToken) =>
        FunctionsHttp.HandleAsync(router, request, FunctionsHttp.RoutePath(request, "schedule"), hostAuthenticated: true, cancellationToken);
}

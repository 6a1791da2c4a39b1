using System.Security.Cryptography;
using System.Text;
using DeadlineAlerts.App.Records;
using DeadlineAlerts.Core.Records;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DeadlineAlerts.App.Api;

/// <summary>
/// <c>DeadlineAlerts:OperatorKey</c>: either one key, or named keys <c>alice=KEY1;bob=KEY2</c> so that the
/// audit log records who made each change. Operators send it as <c>Authorization: Bearer KEY</c> or
/// <c>X-Operator-Key: KEY</c>.
/// </summary>
public sealed class ApiOptions
{
    public const string Section = "DeadlineAlerts";
    public string? OperatorKey { get; set; }

    public IReadOnlyList<(string Name, string Key)> OperatorKeys()
    {
        if (string.IsNullOrWhiteSpace(OperatorKey)) return [];
        var parts = OperatorKey.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Select(p => p.IndexOf('=') is var i and > 0 ? (p[..i].Trim(), p[(i + 1)..].Trim()) : ("operator", p)).ToList();
    }
}

/// <summary>
/// Routes an <see cref="ApiRequest"/> to the module that maps it, after the access check. 404 for an
/// unknown path, 405 (with <c>Allow</c>) for a known path and another method, 401 for an operator route
/// without a valid key, then (<see cref="ApiRouteChecks"/>) 400 for an id in the URL that breaks the id rule
/// or a query parameter the route does not take, 415 for a body of another media type than the route reads;
/// an unexpected exception is logged by type only and answered with a bare 500.
/// </summary>
public sealed class ApiRouter
{
    private readonly List<ApiRoute> _routes;
    private readonly IOptions<ApiOptions> _options;
    private readonly ILogger<ApiRouter> _logger;

    public ApiRouter(IEnumerable<IApiModule> modules, IOptions<ApiOptions> options, ILogger<ApiRouter> logger)
    {
        var table = new ApiRouteTable();
        foreach (var m in modules) m.Map(table);
        _routes = table.Routes.ToList();
        _options = options;
        _logger = logger;
    }

    public IReadOnlyList<ApiRoute> Routes => _routes;

    /// <summary>
    /// Answers one request. Every answer, problems included, carries <c>X-Content-Type-Options: nosniff</c>, so a
    /// browser never reads record text in a JSON or text answer as HTML or script.
    /// </summary>
    public async Task<ApiResponse> HandleAsync(ApiRequest request, CancellationToken ct = default)
    {
        var response = await RouteAsync(request, ct);
        response.Headers["X-Content-Type-Options"] = "nosniff";
        return response;
    }

    private async Task<ApiResponse> RouteAsync(ApiRequest request, CancellationToken ct)
    {
        var path = request.Path.Split('?')[0].Trim('/').Split('/');
        var matches = _routes.Select(r => (Route: r, Values: r.Match(path))).Where(m => m.Values is not null).ToList();
        if (matches.Count == 0) return ApiResponse.Problem(ApiProblem.NotFound($"No route {request.Path}."));
        var method = string.Equals(request.Method, "HEAD", StringComparison.OrdinalIgnoreCase) ? "GET" : request.Method.ToUpperInvariant();
        var (route, values) = matches.FirstOrDefault(m => m.Route.Method == method);
        if (route is null)
        {
            var allow = string.Join(", ", matches.Select(m => m.Route.Method).Distinct());
            return ApiResponse.Problem(new ApiProblem
            {
                Title = "Method not allowed",
                Status = 405,
                Detail = $"{request.Path} accepts {allow}.",
                ExtraHeaders = new Dictionary<string, string> { ["Allow"] = allow },
            });
        }

        var caller = "anonymous";
        if (route.Access == ApiAccess.Operator && !TryAuthorize(request, out caller, out var problem))
            return ApiResponse.Problem(problem!);
        // dla serve's Kestrel refuses a larger body before reading it; behind the Functions host it is refused here.
        if (request.Body.Length > TextRules.Limits.BodyBytes)
            return ApiResponse.Problem(new ApiProblem
            {
                Title = "Request body too large",
                Status = 413,
                Detail = $"A body is one record; at most {TextRules.Limits.BodyBytes:N0} bytes are accepted. Nothing was written.",
                Instance = request.Path,
            });
        // Before any handler: the URL's ids, the query's parameters and the body's media type, so a handler
        // never reads storage with a path-like id nor reads a form as JSON.
        if ((ApiRouteChecks.Ids(values!) ?? ApiRouteChecks.Query(route, request) ?? ApiRouteChecks.Body(route, request)) is { } refused)
            return ApiResponse.Problem(refused with { Instance = request.Path });
        try
        {
            return await route.Handler(new ApiCall(request, values!, caller), ct);
        }
        catch (ApiProblemException e)
        {
            return ApiResponse.Problem(e.Problem with { Instance = e.Problem.Instance ?? request.Path });
        }
        catch (RecordValidationException e)
        {
            // A record that passed the reader but would not fit its table row (RecordWriter checks before writing).
            return ApiResponse.Problem(ApiRecords.Invalid(e, "record") with { Instance = request.Path });
        }
        catch (StorageRefusedException e)
        {
            _logger.LogWarning("API {Method} {Template}: storage refused the write ({Status} {ErrorCode})", method, route.Template, e.Status, e.ErrorCode);
            return ApiResponse.Problem(ApiProblem.BadRequest(e.Message) with { Instance = request.Path });
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            _logger.LogError("API {Method} {Template} failed with {ExceptionType}", method, route.Template, e.GetType().Name);
            return ApiResponse.Problem(new ApiProblem { Title = "Internal error", Status = 500, Detail = "The request failed; see the host's log." });
        }
    }

    /// <summary>
    /// Operator keys are compared in constant time. Behind the Functions host (which has checked a function
    /// key) a request without an operator key is accepted and recorded as <c>function-key</c>; with one, the
    /// key must be valid and names the caller. When the host also reports a person signed in with App Service
    /// Authentication (<see cref="ApiRequest.SignedInName"/>), that person is the caller.
    /// </summary>
    private bool TryAuthorize(ApiRequest request, out string caller, out ApiProblem? problem)
    {
        caller = "anonymous";
        problem = null;
        var keys = _options.Value.OperatorKeys();
        var presented = request.Header("X-Operator-Key")
                        ?? (request.Header("Authorization") is { } auth && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                            ? auth["Bearer ".Length..].Trim() : null);
        var signedIn = request.HostAuthenticated && !string.IsNullOrWhiteSpace(request.SignedInName) ? request.SignedInName.Trim() : null;
        if (presented is null && request.HostAuthenticated) { caller = signedIn ?? "function-key"; return true; }
        if (keys.Count == 0)
        {
            problem = ApiProblem.Unauthorized("Operator routes are closed: this host has no operator key configured (set DeadlineAlerts__OperatorKey).");
            return false;
        }
        if (presented is null)
        {
            problem = ApiProblem.Unauthorized("Send the operator key as \"Authorization: Bearer KEY\" or \"X-Operator-Key: KEY\".");
            return false;
        }
        var given = Encoding.UTF8.GetBytes(presented);
        foreach (var (name, key) in keys)
            if (CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(key))) { caller = signedIn ?? name; return true; }
        problem = ApiProblem.Unauthorized("The operator key is not valid.");
        return false;
    }
}

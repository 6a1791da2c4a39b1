namespace DeadlineAlerts.App.Api;

/// <summary>Who may call a route.</summary>
public enum ApiAccess
{
    /// <summary>Operators: an operator key (locally) or the host's function key (Azure).</summary>
    Operator,

    /// <summary>Anyone who reaches the host: routes that check a signed token themselves (unsubscribe,
    /// calendar) and the health check.</summary>
    Public,
}

/// <summary>
/// A matched call: the request, the values of the template's <c>{placeholders}</c>, and who is calling
/// (the operator's name for audit; <c>anonymous</c> on public routes).
/// </summary>
public sealed record ApiCall(ApiRequest Request, IReadOnlyDictionary<string, string> Route, string Caller)
{
    public string RouteValue(string name) => Route[name];
}

public delegate Task<ApiResponse> ApiHandler(ApiCall call, CancellationToken ct);

/// <summary>
/// A feature's routes. Each feature (deadlines, subscribers, audit, unsubscribe, calendar, health) has one
/// module that maps its routes; the router collects every <see cref="IApiModule"/> registered in DI.
/// </summary>
public interface IApiModule
{
    void Map(ApiRouteTable routes);
}

/// <summary>What body a route reads. The router answers 415 before the handler runs when a body comes with another
/// media type, so a JSON body sent as <c>text/plain</c> or as a form is never read as if it were JSON.</summary>
public enum ApiBody
{
    /// <summary>The route reads no body; one that is sent anyway is ignored.</summary>
    None,

    /// <summary>A JSON body (<c>application/json</c> or any <c>+json</c> type, UTF-8), or none.</summary>
    Json,

    /// <summary>An HTML form or RFC 8058 one-click body (<c>application/x-www-form-urlencoded</c> or
    /// <c>multipart/form-data</c>), or none: the unsubscribe page's button and mail clients' one-click POST.</summary>
    Form,
}

/// <summary>
/// One route: method, template, who may call it, the query parameters it takes (any other is refused by name,
/// <c>code</c> aside, the Functions host's key) and the body it reads. Every <c>{placeholder}</c> of the template is
/// an id, checked by <see cref="ApiRouteIds"/> before the handler runs.
/// </summary>
public sealed record ApiRoute(string Method, string Template, ApiAccess Access, ApiHandler Handler)
{
    internal string[] Segments { get; } = Template.Trim('/').Split('/');

    public IReadOnlyList<string> Query { get; init; } = [];
    public ApiBody Body { get; init; }

    /// <summary>
    /// Matches <c>/api/deadlines/{id}</c>-style templates segment by segment. A placeholder matches one
    /// non-empty segment (URL-decoded); a placeholder with a literal suffix (<c>{subscriberId}.ics</c>) matches
    /// segments that end with it.
    /// </summary>
    internal Dictionary<string, string>? Match(string[] path)
    {
        if (path.Length != Segments.Length) return null;
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < path.Length; i++)
        {
            var t = Segments[i];
            var p = Uri.UnescapeDataString(path[i]);
            if (t.StartsWith('{'))
            {
                var close = t.IndexOf('}');
                var name = t[1..close];
                var suffix = t[(close + 1)..];
                if (!p.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) || p.Length == suffix.Length) return null;
                values[name] = p[..^suffix.Length];
            }
            else if (!string.Equals(t, p, StringComparison.OrdinalIgnoreCase)) return null;
        }
        return values;
    }
}

public sealed class ApiRouteTable
{
    private readonly List<ApiRoute> _routes = [];
    public IReadOnlyList<ApiRoute> Routes => _routes;

    /// <param name="query">The query parameters the route takes; the router refuses any other by name.</param>
    /// <param name="body">The body the route reads (<see cref="ApiBody"/>).</param>
    public ApiRouteTable Map(string method, string template, ApiAccess access, ApiHandler handler, string[]? query = null, ApiBody body = ApiBody.None)
    {
        _routes.Add(new ApiRoute(method.ToUpperInvariant(), template, access, handler) { Query = query ?? [], Body = body });
        return this;
    }

    public ApiRouteTable Get(string template, ApiAccess access, ApiHandler handler, string[]? query = null) =>
        Map("GET", template, access, handler, query);

    public ApiRouteTable Post(string template, ApiAccess access, ApiHandler handler, string[]? query = null, ApiBody body = ApiBody.None) =>
        Map("POST", template, access, handler, query, body);

    public ApiRouteTable Put(string template, ApiAccess access, ApiHandler handler, ApiBody body = ApiBody.None) =>
        Map("PUT", template, access, handler, body: body);

    public ApiRouteTable Delete(string template, ApiAccess access, ApiHandler handler) => Map("DELETE", template, access, handler);
}

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

public sealed record ApiRoute(string Method, string Template, ApiAccess Access, ApiHandler Handler)
{
    internal string[] Segments { get; } = Template.Trim('/').Split('/');

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

    public ApiRouteTable Map(string method, string template, ApiAccess access, ApiHandler handler)
    {
        _routes.Add(new ApiRoute(method.ToUpperInvariant(), template, access, handler));
        return this;
    }

    public ApiRouteTable Get(string template, ApiAccess access, ApiHandler handler) => Map("GET", template, access, handler);
    public ApiRouteTable Post(string template, ApiAccess access, ApiHandler handler) => Map("POST", template, access, handler);
    public ApiRouteTable Put(string template, ApiAccess access, ApiHandler handler) => Map("PUT", template, access, handler);
    public ApiRouteTable Delete(string template, ApiAccess access, ApiHandler handler) => Map("DELETE", template, access, handler);
}

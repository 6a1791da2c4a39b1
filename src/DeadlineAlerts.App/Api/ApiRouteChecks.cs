using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using DeadlineAlerts.Core.Records;

namespace DeadlineAlerts.App.Api;

/// <summary>
/// The ids a route's <c>{placeholders}</c> carry. Record, subscriber and channel ids follow the import's rule
/// (<see cref="RecordId.Problem"/>: letters, digits, '.', '_', '-', starting with a letter or digit, at most
/// 100 characters); a ledger key is two such parts joined by '~' (<c>PARTITION~ROW</c>, as <c>GET /api/alerts</c>
/// shows it). A value decoded from <c>..%2F</c>, <c>%2e%2e%2f</c> or <c>%2F</c> holds a '/' or starts with a
/// dot, so it is refused here and never reaches storage, whose keys forbid '/', '\', '#' and '?'.
/// </summary>
public static partial class ApiRouteIds
{
    public const string LedgerKey = "ledgerKey";

    /// <summary>Partition <c>yyyyMMdd-ss</c>, row key ticks_messageId_channelId: within Table Storage's 1 KiB a key.</summary>
    public const int MaxLedgerKeyLength = 400;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*~[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex LedgerKeyShape();

    /// <summary>Null when <paramref name="value"/> is acceptable for the placeholder <paramref name="name"/>,
    /// otherwise what is wrong with it.</summary>
    public static string? Problem(string name, string value)
    {
        if (!string.Equals(name, LedgerKey, StringComparison.OrdinalIgnoreCase)) return RecordId.Problem(value);
        if (value.Length > MaxLedgerKeyLength) return $"is {value.Length} characters long; at most {MaxLedgerKeyLength} are accepted";
        return LedgerKeyShape().IsMatch(value) ? null
            : "is not a ledger key; use the ledgerKey of a row from GET /api/alerts (PARTITION~ROW: letters, digits, '.', '_' and '-' on each side of one '~')";
    }

    /// <summary>A refused value as the problem body shows it: printable, and short enough to read.</summary>
    internal static string Shown(string value)
    {
        var printable = new string(value.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return printable.Length <= 120 ? printable : printable[..120] + "…";
    }
}

/// <summary>The checks the router makes on every request before a handler runs, each returning the problem or null.</summary>
internal static class ApiRouteChecks
{
    /// <summary>The Functions host's own key parameter, accepted on every route.</summary>
    private const string FunctionKeyParameter = "code";

    public static ApiProblem? Ids(IReadOnlyDictionary<string, string> values)
    {
        var errors = values
            .Select(v => (v.Key, v.Value, Problem: ApiRouteIds.Problem(v.Key, v.Value)))
            .Where(v => v.Problem is not null)
            .Select(v => new FieldError(v.Key, ApiRouteIds.Shown(v.Value), v.Problem!))
            .ToList();
        if (errors.Count == 0) return null;
        return ApiProblem.BadRequest(
            $"The URL's {string.Join(" and ", errors.Select(e => e.Field))} is not valid; nothing was read or written.", errors);
    }

    /// <summary>Query parameters a route does not take are refused by name, so a misspelt filter is not silently ignored.</summary>
    public static ApiProblem? Query(ApiRoute route, ApiRequest request)
    {
        var unknown = request.Query.Keys
            .Where(k => !route.Query.Contains(k, StringComparer.OrdinalIgnoreCase) && !k.Equals(FunctionKeyParameter, StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (unknown.Count == 0) return null;
        var takes = route.Query.Count == 0 ? "this route takes no query parameters" : $"is not a parameter of this route; use {string.Join(", ", route.Query)}";
        return ApiProblem.BadRequest($"Unknown query parameter(s): {string.Join(", ", unknown.Select(ApiRouteIds.Shown))}.",
            unknown.Select(k => new FieldError(ApiRouteIds.Shown(k), request.QueryValue(k) is { } v ? ApiRouteIds.Shown(v) : null,
                route.Query.Count == 0 ? $"is not accepted: {takes}" : takes)).ToList());
    }

    /// <summary>
    /// A body must come as the media type the route reads (<see cref="ApiBody"/>): 415 otherwise, naming the type
    /// given and the one to use. A route that reads JSON takes <c>application/json</c> or any <c>+json</c> type, with
    /// no charset or <c>charset=utf-8</c>. An empty body is not checked (resolve and cancel need none).
    /// </summary>
    public static ApiProblem? Body(ApiRoute route, ApiRequest request)
    {
        if (route.Body == ApiBody.None || request.Body.IsEmpty) return null;
        var given = request.Header("Content-Type");
        var type = MediaTypeHeaderValue.TryParse(given, out var parsed) ? parsed : null;
        var media = type?.MediaType?.ToLowerInvariant();
        var charset = type?.CharSet?.Trim('"').ToLowerInvariant();
        if (route.Body == ApiBody.Json)
        {
            var json = media is not null && (media == "application/json" || (media.EndsWith("+json", StringComparison.Ordinal) && media.Contains('/')));
            if (json && (charset is null || charset is "utf-8" or "utf8")) return null;
            return Unsupported(given, json
                ? $"The body is JSON in charset {charset}; send it as UTF-8 (Content-Type: application/json; charset=utf-8)."
                : $"This route reads a JSON body; send it with Content-Type: application/json (the body came as {(given is null ? "no Content-Type" : ApiRouteIds.Shown(given))}).",
                "application/json");
        }
        if (media is "application/x-www-form-urlencoded" or "multipart/form-data") return null;
        return Unsupported(given,
            $"This route reads a form; send it as application/x-www-form-urlencoded (the body came as {(given is null ? "no Content-Type" : ApiRouteIds.Shown(given))}).",
            "application/x-www-form-urlencoded");
    }

    private static ApiProblem Unsupported(string? given, string detail, string accepted) => new()
    {
        Title = "Unsupported media type",
        Status = 415,
        Detail = detail,
        Errors = [new FieldError("Content-Type", given is null ? null : ApiRouteIds.Shown(given), $"must be {accepted}")],
    };
}

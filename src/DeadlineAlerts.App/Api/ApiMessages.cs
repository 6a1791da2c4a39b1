using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeadlineAlerts.App.Api;

/// <summary>
/// One HTTP request, independent of the host that received it. The Functions HTTP triggers and
/// <c>dla serve</c> (Kestrel) both translate their requests into this and hand it to <see cref="ApiRouter"/>,
/// so both hosts answer every route the same way.
/// </summary>
public sealed class ApiRequest
{
    public required string Method { get; init; }

    /// <summary>The path as received, e.g. <c>/api/deadlines/us-china-tariff-truce</c>.</summary>
    public required string Path { get; init; }

    public IReadOnlyDictionary<string, string> Query { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>The public base of this host (scheme, host, port), for links in responses.</summary>
    public Uri? BaseUri { get; init; }

    /// <summary>True when the host has already checked a key of its own (an Azure Functions function key).</summary>
    public bool HostAuthenticated { get; init; }

    /// <summary>
    /// The person App Service Authentication (Entra ID) signed in, as the platform reported it
    /// (<c>X-MS-CLIENT-PRINCIPAL-NAME</c>). Set only by the Functions host, and only while the platform's
    /// authentication is on (it then strips that header from what clients send); <c>dla serve</c> never sets it,
    /// so a client cannot name itself. Recorded as the audit actor of a host-authenticated call.
    /// </summary>
    public string? SignedInName { get; init; }

    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    public string? QueryValue(string name) =>
        Query.FirstOrDefault(q => string.Equals(q.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    public string BodyText => Encoding.UTF8.GetString(Body.Span);
}

/// <summary>One HTTP response, independent of the host that sends it.</summary>
public sealed class ApiResponse
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public required int Status { get; init; }
    public string? ContentType { get; init; }
    public byte[] Body { get; init; } = [];
    public Dictionary<string, string> Headers { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    public string BodyText => Encoding.UTF8.GetString(Body);

    public static ApiResponse Json(int status, object value, string? etag = null)
    {
        var r = new ApiResponse
        {
            Status = status,
            ContentType = "application/json; charset=utf-8",
            Body = JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), JsonOptions),
        };
        if (etag is not null) r.Headers["ETag"] = etag;
        return r;
    }

    public static ApiResponse NoContent() => new() { Status = 204 };

    public static ApiResponse Text(int status, string contentType, string text) =>
        new() { Status = status, ContentType = contentType, Body = Encoding.UTF8.GetBytes(text) };

    public static ApiResponse Html(int status, string html) => Text(status, "text/html; charset=utf-8", html);

    public static ApiResponse Problem(ApiProblem problem)
    {
        var r = new ApiResponse
        {
            Status = problem.Status,
            ContentType = "application/problem+json; charset=utf-8",
            Body = JsonSerializer.SerializeToUtf8Bytes(problem, JsonOptions),
        };
        foreach (var (k, v) in problem.ExtraHeaders) r.Headers[k] = v;
        return r;
    }
}

/// <summary>One field that was refused: which, the value given (never a secret), and what is accepted.</summary>
public sealed record FieldError(string Field, string? Value, string Problem);

/// <summary>
/// An RFC 9457 problem-details body. Handlers throw <see cref="ApiProblemException"/> with one of these, or
/// return <see cref="ApiResponse.Problem"/>; the router turns any other exception into a 500 that says nothing
/// about internals (exception messages can carry URLs with tokens).
/// </summary>
public sealed record ApiProblem
{
    public string Type { get; init; } = "about:blank";
    public required string Title { get; init; }
    public required int Status { get; init; }
    public string? Detail { get; init; }
    public string? Instance { get; init; }

    /// <summary>Field-level errors of a 400 (extension member).</summary>
    public IReadOnlyList<FieldError>? Errors { get; init; }

    /// <summary>The current record on a 412, so the caller can merge and retry (extension member).</summary>
    public object? Current { get; init; }

    [JsonIgnore] public IReadOnlyDictionary<string, string> ExtraHeaders { get; init; } = new Dictionary<string, string>();

    public static ApiProblem BadRequest(string detail, IReadOnlyList<FieldError>? errors = null) =>
        new() { Title = "The request is not valid", Status = 400, Detail = detail, Errors = errors, Type = "https://deadlinealerts.dev/problems/validation" };

    public static ApiProblem NotFound(string detail) => new() { Title = "Not found", Status = 404, Detail = detail };

    public static ApiProblem Unauthorized(string detail) => new()
    {
        Title = "Unauthorized",
        Status = 401,
        Detail = detail,
        ExtraHeaders = new Dictionary<string, string> { ["WWW-Authenticate"] = "Bearer realm=\"deadlinealerts\"" },
    };
}

public sealed class ApiProblemException(ApiProblem problem) : Exception(problem.Detail ?? problem.Title)
{
    public ApiProblem Problem { get; } = problem;
}

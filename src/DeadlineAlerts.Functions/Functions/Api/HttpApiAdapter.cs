using System.Net;
using System.Web;
using DeadlineAlerts.App.Api;
using Microsoft.Azure.Functions.Worker.Http;

namespace DeadlineAlerts.Functions.Functions.Api;

/// <summary>
/// The one translation between the Functions HTTP trigger types and the host-neutral API: every HTTP function
/// turns its <see cref="HttpRequestData"/> into an <see cref="ApiRequest"/> here, calls the same
/// <see cref="ApiRouter"/> that <c>dla serve</c> calls, and writes the <see cref="ApiResponse"/> back, so the
/// two hosts answer every route alike. Route paths assume the default <c>api</c> route prefix of host.json.
/// </summary>
public sealed class HttpApiAdapter(ApiRouter router)
{
    /// <param name="hostAuthenticated">True for triggers at <c>AuthorizationLevel.Function</c>: the host has
    /// checked a function key, so the router accepts the call without an operator key (see ApiRouter).</param>
    public async Task<HttpResponseData> HandleAsync(HttpRequestData request, bool hostAuthenticated, CancellationToken ct)
    {
        var response = await router.HandleAsync(await ToApiRequestAsync(request, hostAuthenticated, ct), ct);
        return await ToResponseAsync(request, response, ct);
    }

    public static async Task<ApiRequest> ToApiRequestAsync(HttpRequestData request, bool hostAuthenticated, CancellationToken ct)
    {
        using var body = new MemoryStream();
        if (request.Body is { } stream) await stream.CopyToAsync(body, ct);
        var query = HttpUtility.ParseQueryString(request.Url.Query);
        return new ApiRequest
        {
            Method = request.Method,
            Path = request.Url.AbsolutePath,
            Query = query.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => query[k] ?? "", StringComparer.OrdinalIgnoreCase),
            Headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase),
            Body = body.ToArray(),
            BaseUri = new Uri(request.Url.GetLeftPart(UriPartial.Authority) + "/"),
            HostAuthenticated = hostAuthenticated,
        };
    }

    public static async Task<HttpResponseData> ToResponseAsync(HttpRequestData request, ApiResponse response, CancellationToken ct)
    {
        var http = request.CreateResponse((HttpStatusCode)response.Status);
        foreach (var (name, value) in response.Headers) http.Headers.TryAddWithoutValidation(name, value);
        if (response.ContentType is not null) http.Headers.TryAddWithoutValidation("Content-Type", response.ContentType);
        if (!string.Equals(request.Method, "HEAD", StringComparison.OrdinalIgnoreCase) && response.Body.Length > 0)
            await http.Body.WriteAsync(response.Body, ct);
        return http;
    }
}

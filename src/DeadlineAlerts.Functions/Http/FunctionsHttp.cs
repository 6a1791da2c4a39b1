using System.Net;
using DeadlineAlerts.App.Api;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Configuration;

namespace DeadlineAlerts.Functions.Http;

/// <summary>
/// Translates between the Functions HTTP trigger types and the host-neutral <see cref="ApiRequest"/> /
/// <see cref="ApiResponse"/>, so an HTTP function is one line over <see cref="ApiRouter"/> and answers exactly as
/// <c>dla serve</c> does.
/// </summary>
public static class FunctionsHttp
{
    /// <param name="path">The route template the function serves (the router's path, whatever the host's routePrefix).</param>
    /// <param name="hostAuthenticated">True for functions whose trigger requires a function key.</param>
    public static async Task<ApiRequest> ToApiRequestAsync(HttpRequestData request, string path, bool hostAuthenticated, CancellationToken ct)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, ct);
        return new ApiRequest
        {
            Method = request.Method,
            Path = path,
            Query = request.Query.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => request.Query[k] ?? "", StringComparer.OrdinalIgnoreCase),
            Headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase),
            Body = body.ToArray(),
            BaseUri = new Uri(request.Url.GetLeftPart(UriPartial.Authority)),
            HostAuthenticated = hostAuthenticated,
            SignedInName = hostAuthenticated ? SignedInName(request) : null,
        };
    }

    /// <summary>
    /// The App Service Authentication (Entra ID) user behind the request, or null. The header is trusted only
    /// while the platform's authentication is on (<c>WEBSITE_AUTH_ENABLED=True</c>, which App Service sets with
    /// <c>authsettingsV2</c>): the platform then removes <c>X-MS-CLIENT-PRINCIPAL-*</c> headers sent by clients
    /// and sets its own. Without it anyone could send the header, so it is ignored.
    /// </summary>
    public static string? SignedInName(HttpRequestData request)
    {
        var configuration = request.FunctionContext.InstanceServices.GetService(typeof(IConfiguration)) as IConfiguration;
        var enabled = configuration?["WEBSITE_AUTH_ENABLED"] ?? Environment.GetEnvironmentVariable("WEBSITE_AUTH_ENABLED");
        if (!string.Equals(enabled, "true", StringComparison.OrdinalIgnoreCase)) return null;
        return request.Headers.TryGetValues("X-MS-CLIENT-PRINCIPAL-NAME", out var values) && values.FirstOrDefault() is { Length: > 0 } name
            ? name.Trim()
            : null;
    }

    public static async Task<HttpResponseData> ToResponseAsync(HttpRequestData request, ApiResponse api, CancellationToken ct)
    {
        var response = request.CreateResponse((HttpStatusCode)api.Status);
        if (api.ContentType is not null) response.Headers.Add("Content-Type", api.ContentType);
        foreach (var (name, value) in api.Headers) response.Headers.Add(name, value);
        if (api.Body.Length > 0 && !string.Equals(request.Method, "HEAD", StringComparison.OrdinalIgnoreCase))
            await response.Body.WriteAsync(api.Body, ct);
        return response;
    }

    /// <summary>
    /// The router's path for a catch-all trigger (<c>deadlines/{*rest}</c>): <c>/api/</c> followed by the URL's
    /// path from the route's first segment on, so the answer does not depend on host.json's routePrefix.
    /// </summary>
    public static string RoutePath(HttpRequestData request, string firstSegment)
    {
        var segments = request.Url.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var at = Array.FindIndex(segments, s => string.Equals(s, firstSegment, StringComparison.OrdinalIgnoreCase));
        return "/api/" + string.Join('/', at < 0 ? [firstSegment] : segments[at..]);
    }

    /// <summary>One HTTP function call: translate, route, translate back.</summary>
    public static async Task<HttpResponseData> HandleAsync(ApiRouter router, HttpRequestData request, string path, bool hostAuthenticated, CancellationToken ct)
    {
        var api = await ToApiRequestAsync(request, path, hostAuthenticated, ct);
        return await ToResponseAsync(request, await router.HandleAsync(api, ct), ct);
    }
}

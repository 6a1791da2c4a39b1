using System.Net;
using DeadlineAlerts.App.Api;
using Microsoft.Azure.Functions.Worker.Http;

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
        };
    }

    public static async Task<HttpResponseData> ToResponseAsync(HttpRequestData request, ApiResponse api, CancellationToken ct)
    {
        var response = request.CreateResponse((HttpStatusCode)api.Status);
        if (api.ContentType is not null) response.Headers.Add("Content-Type", api.ContentType);
        foreach (var (name, value) in api.Headers) response.Headers.Add(name, value);
        if (api.Body.Length > 0) await response.Body.WriteAsync(api.Body, ct);
        return response;
    }
}

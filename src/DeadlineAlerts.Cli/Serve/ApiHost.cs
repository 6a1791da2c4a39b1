using System.Net;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.OperatorConsole;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DeadlineAlerts.Cli.Serve;

/// <summary>
/// The local host of the HTTP API (<c>dla serve</c>): Kestrel translates every request under <c>/api/</c> into
/// an <see cref="ApiRequest"/>, hands it to the same <see cref="ApiRouter"/> the Functions HTTP triggers call,
/// and writes the <see cref="ApiResponse"/> back. Nothing here decides anything about a route, so the two hosts
/// cannot drift apart. The operator console's files (<see cref="ConsolePage"/>) are served at <c>/console/</c>,
/// and <c>/</c> redirects there. Listens on loopback unless told otherwise: operator keys travel in plain HTTP here.
/// Tests start it in-process on port 0 and read <see cref="BaseUri"/>.
/// </summary>
public sealed class ApiHost : IAsyncDisposable
{
    /// <summary>Bodies are single records; anything larger is refused with 413 before it is read.</summary>
    public const long MaxBodyBytes = DeadlineAlerts.Core.Records.TextRules.Limits.BodyBytes;

    private readonly WebApplication _app;

    /// <summary>Where the operator console is, below <see cref="BaseUri"/>.</summary>
    public const string ConsolePath = "/console/";

    public Uri BaseUri { get; }

    public Uri ConsoleUri => new(BaseUri, ConsolePath.TrimStart('/'));

    private ApiHost(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <param name="port">0 picks a free port (see <see cref="BaseUri"/>).</param>
    /// <param name="address">Defaults to 127.0.0.1.</param>
    public static async Task<ApiHost> StartAsync(ApiRouter router, int port, IPAddress? address = null, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(address ?? IPAddress.Loopback, port);
            k.Limits.MaxRequestBodySize = MaxBodyBytes;
            k.AddServerHeader = false;
        });
        var app = builder.Build();
        // Every answer, the router's and Kestrel's own (404 outside /api/, 413), tells browsers not to sniff.
        app.Use((context, next) => { context.Response.Headers.XContentTypeOptions = "nosniff"; return next(context); });
        app.Map("/api/{**rest}", context => HandleAsync(context, router));
        app.MapMethods("/", ["GET", "HEAD"], context => WriteAsync(context, ConsolePage.Redirect(ConsolePath)));
        // "/console/{**file}" also matches "/console": that one redirects, since the page's files are relative to its folder.
        app.MapMethods("/console/{**file}", ["GET", "HEAD"], context => WriteAsync(context,
            !context.Request.Path.Value!.EndsWith('/') && context.Request.RouteValues["file"] is null
                ? ConsolePage.Redirect(ConsolePath)
                : ConsolePage.Answer((string?)context.Request.RouteValues["file"] ?? "", ConsoleKeyHeader.OperatorKey)));
        await app.StartAsync(ct);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ApiHost(app, new Uri(bound.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task HandleAsync(HttpContext context, ApiRouter router)
    {
        var request = context.Request;
        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await WriteAsync(context, ApiResponse.Problem(new ApiProblem
            {
                Title = "Request body too large",
                Status = 413,
                Detail = $"A body is one record; at most {MaxBodyBytes:N0} bytes are accepted. Nothing was written.",
            }));
            return;
        }
        var apiRequest = new ApiRequest
        {
            Method = request.Method,
            Path = (request.PathBase + request.Path).Value ?? "/",
            Query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            Headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            Body = body,
            BaseUri = new Uri($"{request.Scheme}://{request.Host}/"),
            HostAuthenticated = false,
        };
        await WriteAsync(context, await router.HandleAsync(apiRequest, context.RequestAborted));
    }

    private static async Task WriteAsync(HttpContext context, ApiResponse response)
    {
        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers) context.Response.Headers[name] = value;
        if (response.ContentType is not null) context.Response.ContentType = response.ContentType;
        context.Response.ContentLength = response.Body.Length;
        if (!HttpMethods.IsHead(context.Request.Method) && response.Body.Length > 0)
            await context.Response.Body.WriteAsync(response.Body, context.RequestAborted);
    }
}

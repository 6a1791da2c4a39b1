using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DeadlineAlerts.Delivery.Tests.Support;

/// <summary>One request as the wire carried it: raw target, headers, body bytes.</summary>
public sealed record RecordedRequest(string Method, string RawTarget, string Host, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}

public sealed record Reply(int Status, string Body = "", IReadOnlyDictionary<string, string>? Headers = null, TimeSpan Delay = default)
{
    public static Reply Text(int status, string body, params (string Name, string Value)[] headers) =>
        new(status, body, headers.ToDictionary(h => h.Name, h => h.Value));
}

/// <summary>A real Kestrel listener on 127.0.0.1 with a free port; answers with <c>respond</c> and records every request.</summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private Func<RecordedRequest, Reply> _respond;
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();
    public Uri BaseUri { get; }
    public string HostAndPort => $"{BaseUri.Host}:{BaseUri.Port}";

    private LoopbackHttpServer(WebApplication app, Func<RecordedRequest, Reply> respond, Uri baseUri)
    {
        _app = app; _respond = respond; BaseUri = baseUri;
    }

    public void RespondWith(Func<RecordedRequest, Reply> respond) => _respond = respond;

    public static async Task<LoopbackHttpServer> StartAsync(Func<RecordedRequest, Reply> respond)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        LoopbackHttpServer? server = null;
        app.Run(async context =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var recorded = new RecordedRequest(context.Request.Method, context.Features.Get<IHttpRequestFeature>()!.RawTarget,
                context.Request.Host.Value ?? "", headers, buffer.ToArray());
            server!.Requests.Enqueue(recorded);
            var reply = server._respond(recorded);
            if (reply.Delay > TimeSpan.Zero)
            {
                try { await Task.Delay(reply.Delay, context.RequestAborted); } catch (OperationCanceledException) { return; }
            }
            context.Response.StatusCode = reply.Status;
            foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>()) context.Response.Headers[name] = value;
            if (reply.Body.Length > 0) await context.Response.WriteAsync(reply.Body);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new LoopbackHttpServer(app, respond, new Uri(address.Replace("[::]", "127.0.0.1")));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

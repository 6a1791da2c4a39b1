using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DeadlineAlerts.Bench;

/// <summary>
/// A loopback HTTP receiver (Kestrel on 127.0.0.1, a port the OS picks) that answers 200 at once and records
/// what arrived and when (Stopwatch ticks). <see cref="Mode.WebhookId"/>: one alert per request, identified by
/// its <c>webhook-id</c> header (our webhooks). <see cref="Mode.AlertmanagerLabel"/>: Alertmanager's webhook
/// JSON, one or more alerts per request, each identified by its <c>labels.id</c>.
/// </summary>
public sealed class Receiver : IAsyncDisposable
{
    public enum Mode { WebhookId, AlertmanagerLabel }

    private readonly WebApplication _app;
    private readonly Mode _mode;
    private readonly ConcurrentDictionary<string, int> _seen = new(StringComparer.Ordinal);
    private long _requests;
    private long _alerts;
    private long _lastNewAt;
    private long _firstAt;
    private long _expected = long.MaxValue;
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string BaseUrl { get; private set; } = "";
    public long Requests => Interlocked.Read(ref _requests);
    /// <summary>Alerts received, counting repeats.</summary>
    public long Alerts => Interlocked.Read(ref _alerts);
    public int Distinct => _seen.Count;
    public int Duplicates => _seen.Values.Sum(n => n - 1);
    public IReadOnlyDictionary<string, int> Seen => _seen;
    /// <summary>Stopwatch timestamp of the first request, and of the request that brought the latest new id.</summary>
    public long FirstAt => Interlocked.Read(ref _firstAt);
    public long LastNewAt => Interlocked.Read(ref _lastNewAt);
    public long MissingHeader => Interlocked.Read(ref _missingHeader);
    private long _missingHeader;

    private Receiver(WebApplication app, Mode mode) => (_app, _mode) = (app, mode);

    public static async Task<Receiver> StartAsync(Mode mode)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.Limits.MaxConcurrentConnections = null;
            o.AddServerHeader = false;
        });
        var app = builder.Build();
        var r = new Receiver(app, mode);
        app.MapPost("/{**path}", r.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        r.BaseUrl = address.Replace("[::1]", "127.0.0.1").Replace("localhost", "127.0.0.1").TrimEnd('/');
        return r;
    }

    /// <summary>Completes when <paramref name="distinct"/> different ids have arrived.</summary>
    public Task Expect(int distinct)
    {
        Interlocked.Exchange(ref _expected, distinct);
        if (_seen.Count >= distinct) _reached.TrySetResult();
        return _reached.Task;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var now = Stopwatch.GetTimestamp();
        Interlocked.CompareExchange(ref _firstAt, now, 0);
        Interlocked.Increment(ref _requests);
        if (_mode == Mode.WebhookId)
        {
            // Read the body as a real receiver would, then answer.
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            var id = context.Request.Headers["webhook-id"].ToString();
            if (id.Length == 0) Interlocked.Increment(ref _missingHeader);
            else Record(id);
        }
        else
        {
            using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            if (doc.RootElement.TryGetProperty("alerts", out var alerts))
                foreach (var a in alerts.EnumerateArray())
                {
                    var id = a.TryGetProperty("labels", out var l) && l.TryGetProperty("id", out var i) ? i.GetString() : null;
                    if (id is null) { Interlocked.Increment(ref _missingHeader); continue; }
                    Record(id);
                }
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private void Record(string id)
    {
        Interlocked.Increment(ref _alerts);
        var n = _seen.AddOrUpdate(id, 1, (_, c) => c + 1);
        if (n == 1)
        {
            Interlocked.Exchange(ref _lastNewAt, Stopwatch.GetTimestamp());
            if (_seen.Count >= Interlocked.Read(ref _expected)) _reached.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(cts.Token);
        }
        catch { /* stopping a receiver must not fail the run */ }
        await _app.DisposeAsync();
    }
}

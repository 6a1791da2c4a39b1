using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DeadlineAlerts.Testing;

/// <summary>A received HTTP request, as the receiver saw it.</summary>
public sealed record ReceivedRequest(string Path, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// A real HTTP server on 127.0.0.1 (HttpListener) that records every request and answers with the next
/// scripted status (then 200 "ok" forever). Stands in for a webhook receiver that is up, down or failing.
/// </summary>
public sealed class LoopbackReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(int Status, string Body, IDictionary<string, string>? Headers)> _script = new();
    private readonly Task _loop;
    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();
    public int Port { get; }
    public string Url(string path = "hook") => $"http://127.0.0.1:{Port}/{path}";

    public LoopbackReceiver()
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>The next requests get these answers, in order; after them, 200 "ok".</summary>
    public LoopbackReceiver Answer(int status, string body = "", int times = 1, IDictionary<string, string>? headers = null)
    {
        for (var i = 0; i < times; i++) _script.Enqueue((status, body, headers));
        return this;
    }

    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = ctx.Request.Headers.AllKeys.Where(k => k is not null)
                .ToDictionary(k => k!.ToLowerInvariant(), k => ctx.Request.Headers[k]!);
            Requests.Enqueue(new ReceivedRequest(ctx.Request.Url!.AbsolutePath, headers, body));
            var (status, answer, extra) = _script.TryDequeue(out var s) ? s : (200, "ok", null);
            ctx.Response.StatusCode = status;
            foreach (var (k, v) in extra ?? new Dictionary<string, string>()) ctx.Response.Headers[k] = v;
            var bytes = Encoding.UTF8.GetBytes(answer);
            await ctx.Response.OutputStream.WriteAsync(bytes);
            ctx.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}

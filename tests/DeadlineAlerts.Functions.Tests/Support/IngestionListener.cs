using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text;
using DeadlineAlerts.Testing;

namespace DeadlineAlerts.Functions.Tests.Support;

/// <summary>
/// An Application Insights ingestion endpoint on 127.0.0.1: accepts the SDK's track POSTs (gzip or plain,
/// newline-delimited JSON envelopes) and keeps every envelope line.
/// </summary>
public sealed class IngestionListener : IDisposable
{
    private readonly HttpListener _listener = new();
    public ConcurrentQueue<string> Envelopes { get; } = new();
    public string Url { get; }

    public IngestionListener()
    {
        Url = $"http://127.0.0.1:{LoopbackReceiver.FreePort()}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _ = LoopAsync();
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            var body = ctx.Request.InputStream;
            if (ctx.Request.Headers["Content-Encoding"] == "gzip") body = new GZipStream(body, CompressionMode.Decompress);
            using (var reader = new StreamReader(body, Encoding.UTF8))
                foreach (var line in (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                    Envelopes.Enqueue(line);
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.OutputStream.WriteAsync("""{"itemsReceived":1,"itemsAccepted":1,"errors":[]}"""u8.ToArray());
            ctx.Response.Close();
        }
    }

    public void Dispose() => _listener.Close();
}

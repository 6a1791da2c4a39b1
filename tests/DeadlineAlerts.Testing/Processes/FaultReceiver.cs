using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace DeadlineAlerts.Testing.Processes;

/// <summary>One request as the <see cref="FaultReceiver"/> saw it. <see cref="Seq"/> counts from 1 in arrival order.</summary>
public sealed record FaultRequest(int Seq, string? WebhookId, string Path, string Body, DateTimeOffset ReceivedAt)
{
    /// <summary>Set once the 200 was written and the response closed.</summary>
    public bool Answered { get; internal set; }
}

/// <summary>
/// A real loopback webhook receiver for fault tests: handles requests concurrently, records each one's
/// <c>webhook-id</c> (the alert's idempotency key), can hang requests from the Nth on (until
/// <see cref="Release"/> answers them), can delay each answer, and signals "N received" / "N answered" so that a test can kill
/// the sender at that moment. Answers 200 "ok" otherwise.
/// </summary>
public sealed class FaultReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly ConcurrentQueue<FaultRequest> _requests = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _received = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _answered = new();
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _seq, _answeredCount;

    public int Port { get; }
    public string Url(string path = "hook") => $"http://127.0.0.1:{Port}/{path}";

    /// <summary>Requests whose <see cref="FaultRequest.Seq"/> is at least this hang (get no answer) until <see cref="Release"/>. Null: none hang.</summary>
    public int? HangFrom { get; set; }

    /// <summary>Waited before each answer (a slow receiver keeps sends in flight).</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    public FaultReceiver()
    {
        Port = LoopbackReceiver.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public IReadOnlyList<FaultRequest> Requests => _requests.OrderBy(r => r.Seq).ToList();
    public int Count => _requests.Count;

    /// <summary>Every webhook-id received, once per request (a repeat shows twice).</summary>
    public IReadOnlyList<string> WebhookIds => Requests.Select(r => r.WebhookId ?? "(no webhook-id)").ToList();

    /// <summary>How often each webhook-id arrived.</summary>
    public Dictionary<string, int> CountsById() =>
        Requests.GroupBy(r => r.WebhookId ?? "(no webhook-id)").ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Completes when the <paramref name="n"/>th request has arrived (before it is answered or hung).</summary>
    public Task WhenReceived(int n) => Signal(_received, n, Volatile.Read(ref _seq));

    /// <summary>Completes when <paramref name="n"/> requests have been answered (response written and closed).</summary>
    public Task WhenAnswered(int n) => Signal(_answered, n, Volatile.Read(ref _answeredCount));

    private static Task Signal(ConcurrentDictionary<int, TaskCompletionSource> map, int n, int current)
    {
        var tcs = map.GetOrAdd(n, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (current >= n) tcs.TrySetResult();
        return tcs.Task;
    }

    private static void Reached(ConcurrentDictionary<int, TaskCompletionSource> map, int count)
    {
        foreach (var (n, tcs) in map)
            if (n <= count) tcs.TrySetResult();
    }

    /// <summary>Answers every hung request with 200 (a killed sender never reads it) and stops hanging new ones.</summary>
    public void Release()
    {
        HangFrom = null;
        var old = Interlocked.Exchange(ref _release, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        old.TrySetResult();
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds over what was received; false on timeout.</summary>
    public async Task<bool> WaitUntilAsync(Func<FaultReceiver, bool> condition, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (condition(this)) return true;
            await Task.Delay(100);
        }
        return condition(this);
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            _ = Task.Run(() => HandleAsync(ctx));
        }
    }

    private async Task HandleAsync(HttpListenerContext ctx)
    {
        try
        {
            string body;
            using (var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8)) body = await reader.ReadToEndAsync();
            var seq = Interlocked.Increment(ref _seq);
            var request = new FaultRequest(seq, ctx.Request.Headers["webhook-id"], ctx.Request.Url!.AbsolutePath, body, DateTimeOffset.UtcNow);
            _requests.Enqueue(request);
            Reached(_received, seq);
            if (HangFrom is { } from && seq >= from)
            {
                var release = Volatile.Read(ref _release).Task;
                if (await Task.WhenAny(release, Task.Delay(TimeSpan.FromMinutes(5))) != release)
                {
                    ctx.Response.Abort();
                    return;
                }
            }
            else if (Delay > TimeSpan.Zero) await Task.Delay(Delay);
            ctx.Response.StatusCode = 200;
            await ctx.Response.OutputStream.WriteAsync("ok"u8.ToArray());
            ctx.Response.Close();
            request.Answered = true;
            Reached(_answered, Interlocked.Increment(ref _answeredCount));
        }
        catch (Exception)
        {
            try { ctx.Response.Abort(); } catch (Exception) { }
        }
    }

    public void Dispose()
    {
        Release();
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}

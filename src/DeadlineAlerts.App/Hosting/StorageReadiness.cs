using Azure;
using DeadlineAlerts.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DeadlineAlerts.App.Hosting;

/// <summary>
/// The installation's tables and queues exist: created once per process, on first need. In Azure nothing but the app
/// creates them (the template declares only the account and the deployment container), so the Functions worker calls
/// this at start (<see cref="StorageAtStart"/>) and each timer calls it before its run: a first tick on an empty
/// account creates what it needs instead of failing on a missing table. Once done it costs nothing; a failed attempt
/// (the identity's roles not yet propagated, storage unreachable) is tried again by the next caller.
/// </summary>
public sealed class StorageReadiness(IServiceProvider services)
{
    private readonly Lock _gate = new();
    private Task? _ready;

    public bool IsReady => _ready is { IsCompletedSuccessfully: true };

    /// <summary>Creates the tables and queues if missing (at most one attempt in flight). Throws what storage threw.</summary>
    public Task EnsureAsync(CancellationToken ct = default)
    {
        lock (_gate)
        {
            if (_ready is null || _ready.IsFaulted || _ready.IsCanceled)
                _ready = services.GetRequiredService<StorageClients>().EnsureCreatedAsync(CancellationToken.None);
            return _ready.WaitAsync(ct);
        }
    }
}

/// <summary>
/// Creates the installation's tables and queues when the Functions worker starts, without holding the start up:
/// it waits for the first attempt at most <see cref="FirstAttemptWait"/> (well inside Flex Consumption's start-up
/// limit), then keeps trying in the background with a growing delay (up to <see cref="MaxRetryDelay"/>) until storage
/// accepts, logging each failure by status and error code (never the account URL). Right after a first deployment a
/// 403 here is usually the identity's role assignment still propagating (up to about ten minutes).
/// </summary>
public sealed class StorageAtStart(StorageReadiness readiness, ILogger<StorageAtStart> logger) : IHostedService, IAsyncDisposable
{
    public static readonly TimeSpan FirstAttemptWait = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(1);

    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _disposed;

    /// <summary>The background attempts; completes once storage is ready, or when the host stops or storage is not configured.</summary>
    public Task Completion => _loop ?? Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        try { await _loop.WaitAsync(FirstAttemptWait, cancellationToken); }
        catch (TimeoutException)
        {
            logger.LogWarning("StorageNotReadyAtStart: the tables and queues are not confirmed after {Seconds} s; the worker starts and keeps trying in the background",
                FirstAttemptWait.TotalSeconds);
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var delay = FirstRetryDelay;
        for (var attempt = 1; !ct.IsCancellationRequested; attempt++)
        {
            try
            {
                await readiness.EnsureAsync(ct);
                logger.LogInformation("StorageReady: tables and queues exist (attempt {Attempt})", attempt);
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (InvalidOperationException e)
            {
                // Storage is not configured (StorageClients names the setting): retrying will not change that.
                logger.LogError("StorageNotConfigured: {Problem}", e.Message);
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("StorageEnsureFailed: creating the tables and queues failed (attempt {Attempt}: {Error}); trying again in {DelaySeconds} s{Hint}",
                    attempt, Describe(e), delay.TotalSeconds,
                    e is RequestFailedException { Status: 403 }
                        ? ". A 403 right after deployment is usually the identity's role assignment still propagating (up to about 10 minutes)"
                        : "");
            }
            try { await Task.Delay(delay, ct); }
            catch (OperationCanceledException) { return; }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    /// <summary>Status and error code, or the exception's type: never its message, which can carry the account URL.</summary>
    private static string Describe(Exception e) => e switch
    {
        RequestFailedException { Status: not 0 } r => $"HTTP {r.Status} {r.ErrorCode}",
        _ => e.GetBaseException().GetType().Name,
    };

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        if (_loop is { } loop) await loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Stops the background attempts. Idempotent: the container disposes the instance once for each registration.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stop.Cancel();
            _stop.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}

using Azure;

namespace DeadlineAlerts.Storage;

/// <summary>
/// Keeps trying a storage write through an outage, for writes whose loss would cost a person something: the
/// outcome of a send that already happened. Without it, a worker that sent an alert while storage was away would
/// leave the row "sending" and the alert would go out a second time after the lease. Only failures that say
/// "storage is not there" are retried (no answer, a timeout, 5xx); a refusal (4xx) is thrown at once.
/// </summary>
public static class StorageRetry
{
    public static async Task<T> ThroughOutageAsync<T>(Func<Task<T>> write, TimeSpan budget, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            try { return await write(); }
            catch (Exception e) when (IsOutage(e) && !ct.IsCancellationRequested && started.Elapsed + delay < budget)
            {
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    public static async Task ThroughOutageAsync(Func<Task> write, TimeSpan budget, CancellationToken ct) =>
        await ThroughOutageAsync(async () => { await write(); return 0; }, budget, ct);

    /// <summary>Storage did not answer, or answered that it cannot serve now.</summary>
    public static bool IsOutage(Exception e) => e switch
    {
        RequestFailedException r => r.Status == 0 || r.Status >= 500,
        AggregateException a => a.InnerExceptions.All(IsOutage),
        HttpRequestException or TimeoutException or IOException => true,
        OperationCanceledException => false,
        _ => e.InnerException is { } inner && IsOutage(inner),
    };
}

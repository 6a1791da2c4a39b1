namespace DeadlineAlerts.Delivery.Http;

/// <summary>
/// Bounds one request (connect, send, headers and body) to a fixed time, separately from the caller's
/// cancellation: a receiver that hangs becomes a <see cref="TimeoutException"/> (a Retry), while a cancelled
/// caller still sees its own cancellation. Sits after the rate limiter so a paced wait is not counted.
/// </summary>
public sealed class RequestTimeoutHandler(Func<TimeSpan> timeout) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var limit = timeout();
        timer.CancelAfter(limit);
        try
        {
            var response = await base.SendAsync(request, timer.Token);
            if (response.Content is { } content) await content.LoadIntoBufferAsync(timer.Token);
            return response;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested && timer.IsCancellationRequested)
        {
            throw new TimeoutException($"no complete answer within {limit.TotalSeconds:0.#} s", e);
        }
    }
}

using DeadlineAlerts.App.Deliver;
using DeadlineAlerts.Storage.Queue;
using Microsoft.Extensions.Logging;

namespace DeadlineAlerts.App.Hosting;

/// <summary>
/// The local stand-in for the Functions queue trigger: receives messages from the alert queue, hands each
/// to <see cref="DeliveryService"/>, deletes it when handled. A message whose handling throws stays on the
/// queue and comes back after its visibility timeout, as it would under the Functions host; after
/// <see cref="MaxDequeueCount"/> tries it moves to the poison queue (the host's behaviour too).
/// </summary>
public sealed class LocalQueueRunner(AlertQueue queue, DeliveryService delivery, ILogger<LocalQueueRunner> logger)
{
    public const int MaxDequeueCount = 5;

    /// <summary>Handles what is visible now; returns the delivery lines. Zero messages means the queue looked empty.</summary>
    public async Task<(int Messages, List<DeliveryLine> Lines)> DrainVisibleAsync(CancellationToken ct = default)
    {
        var lines = new List<DeliveryLine>();
        var count = 0;
        while (!ct.IsCancellationRequested)
        {
            var batch = (await queue.Queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(60), ct)).Value;
            if (batch.Length == 0) break;
            foreach (var m in batch)
            {
                count++;
                try
                {
                    if (m.DequeueCount > MaxDequeueCount)
                        await queue.PoisonAsync(m.Body.ToString(), ct);
                    else
                        lines.AddRange(await delivery.DeliverAsync(DeliveryMessage.Parse(m.Body.ToString()), ct));
                    await queue.Queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, ct);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    logger.LogWarning("Delivery message {MessageId} failed ({Error}); it returns to the queue", m.MessageId, e.GetType().Name);
                }
            }
        }
        return (count, lines);
    }

    /// <summary>
    /// Drains until nothing is left, including retries that are still invisible (waiting out their backoff),
    /// or until <paramref name="maxWait"/> passes. Used by `dla run --once`.
    /// </summary>
    public async Task<List<DeliveryLine>> DrainAllAsync(TimeSpan maxWait, CancellationToken ct = default)
    {
        var lines = new List<DeliveryLine>();
        var deadline = DateTimeOffset.UtcNow + maxWait;
        while (!ct.IsCancellationRequested)
        {
            var (_, more) = await DrainVisibleAsync(ct);
            lines.AddRange(more);
            var props = await queue.Queue.GetPropertiesAsync(ct);
            if (props.Value.ApproximateMessagesCount == 0 || DateTimeOffset.UtcNow > deadline) break;
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        }
        return lines;
    }
}

using System.Collections.Concurrent;
using System.Threading.Channels;
using Azure.Storage.Queues.Models;
using DeadlineAlerts.App.Deliver;
using DeadlineAlerts.Storage.Queue;
using DeadlineAlerts.Storage.Records;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace DeadlineAlerts.App.Hosting;

/// <summary>
/// The local stand-in for the Functions queue trigger: receives up to 32 messages at a time with a visibility
/// timeout equal to <see cref="AlertsOptions.SendLease"/> (one setting, so the message and the claim it leads to
/// expire together), handles <see cref="AlertsOptions.MessageConcurrency"/> of them at once with one
/// <see cref="RecordCache"/> for the drain pass (renewed every <see cref="MaxCacheAge"/>), and deletes each when handled. A message whose handling throws
/// stays on the queue and comes back after its visibility timeout, as under the Functions host; after
/// <see cref="MaxDequeueCount"/> tries it moves to the poison queue (the host's behaviour too).
/// </summary>
public sealed class LocalQueueRunner(AlertQueue queue, DeliveryService delivery, RecordStore records, Outbox.Outbox outbox, IClock clock,
    IOptions<AlertsOptions> options, ILogger<LocalQueueRunner> logger)
{
    public const int MaxDequeueCount = 5;

    /// <summary>How long one drain pass serves records from one cache before reading them again: a few seconds, so a
    /// change made during a long drain is seen promptly, while 5,000 alerts about 150 records cost 150 reads, not 15,000.</summary>
    public static readonly TimeSpan MaxCacheAge = TimeSpan.FromSeconds(5);

    /// <summary>Handles what is visible now; returns the delivery lines. Zero messages means the queue looked empty.</summary>
    public async Task<(int Messages, List<DeliveryLine> Lines)> DrainVisibleAsync(CancellationToken ct = default)
    {
        var lines = new ConcurrentBag<DeliveryLine>();
        var count = 0;
        var visibility = options.Value.SendLease < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : options.Value.SendLease;
        var workers = Math.Max(1, options.Value.MessageConcurrency);
        var cache = new RecordCache(records);
        var cacheAge = System.Diagnostics.Stopwatch.StartNew();
        // Receiving goes on while messages are handled: a small buffer (its messages' visibility is already running).
        var buffer = Channel.CreateBounded<QueueMessage>(new BoundedChannelOptions(Math.Max(32, workers * 2)) { SingleWriter = true });
        var receiving = Task.Run(async () =>
        {
            try
            {
                while (!ct.IsCancellationRequested)
                {
                    var batch = (await queue.Queue.ReceiveMessagesAsync(32, visibility, ct)).Value;
                    if (batch.Length == 0) break;
                    Interlocked.Add(ref count, batch.Length);
                    foreach (var m in batch) await buffer.Writer.WriteAsync(m, ct);
                }
                buffer.Writer.Complete();
            }
            catch (Exception e) { buffer.Writer.Complete(e); }
        }, CancellationToken.None);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            await foreach (var m in buffer.Reader.ReadAllAsync(CancellationToken.None))
            {
                if (cacheAge.Elapsed > MaxCacheAge) { cache = new RecordCache(records); cacheAge.Restart(); }
                try
                {
                    if (m.DequeueCount > MaxDequeueCount)
                        await queue.PoisonAsync(m.Body.ToString(), ct);
                    else
                        foreach (var line in await delivery.DeliverAsync(DeliveryMessage.Parse(m.Body.ToString()), cache, ct)) lines.Add(line);
                    await queue.Queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, ct);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    logger.LogWarning("Delivery message {MessageId} failed ({Error}); it returns to the queue", m.MessageId, e.GetType().Name);
                }
                catch (OperationCanceledException) { }
            }
        }));
        await receiving;
        await buffer.Reader.Completion; // rethrows a failed receive (storage unreachable), as before
        return (count, [.. lines]);
    }

    /// <summary>
    /// Delivers everything that is due, including retries that are still waiting out their backoff and rows whose
    /// queue message is invisible in a crashed worker's hands (the sweep queues those again), until no unfinished
    /// row needs action within <paramref name="maxWait"/>. Used by `dla run --once`.
    /// </summary>
    public async Task<List<DeliveryLine>> DrainAllAsync(TimeSpan maxWait, CancellationToken ct = default)
    {
        var lines = new List<DeliveryLine>();
        var giveUp = clock.GetCurrentInstant() + Duration.FromTimeSpan(maxWait);
        var elapsed = System.Diagnostics.Stopwatch.StartNew(); // and in real time, whatever the clock says
        while (!ct.IsCancellationRequested)
        {
            lines.AddRange((await DrainVisibleAsync(ct)).Lines);
            var now = clock.GetCurrentInstant();
            var sweep = await outbox.SweepAsync(now, everything: true, ct);
            if (sweep.Requeued > 0) continue;
            if (sweep.Open == 0 || sweep.NextActionAt is not { } next || next > giveUp || now > giveUp || elapsed.Elapsed > maxWait) break;
            var wait = next - now;
            await Task.Delay(wait < Duration.FromMilliseconds(50) ? TimeSpan.FromMilliseconds(50) : wait > Duration.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait.ToTimeSpan(), ct);
        }
        return lines;
    }
}

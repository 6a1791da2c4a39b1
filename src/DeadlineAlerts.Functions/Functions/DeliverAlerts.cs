using DeadlineAlerts.App.Deliver;
using DeadlineAlerts.Storage.Queue;
using Microsoft.Azure.Functions.Worker;

namespace DeadlineAlerts.Functions.Functions;

/// <summary>
/// Delivers what one queue message carries. <c>Connection = "DeadlineAlerts:Storage"</c> reads the same
/// setting as the app: a connection string, or <c>DeadlineAlerts__Storage__queueServiceUri</c> with a managed
/// identity. Retries of individual alerts are the app's (delayed messages); if this function throws, the host
/// retries the whole message and moves it to <c>alerts-poison</c> after maxDequeueCount (host.json).
/// </summary>
public sealed class DeliverAlerts(DeliveryService delivery)
{
    /// <summary>The queue of the unprefixed installation (<c>StorageNames.For("").AlertQueue</c>).</summary>
    public const string QueueName = "alerts";

    [Function(nameof(DeliverAlerts))]
    public async Task<int> Run([QueueTrigger(QueueName, Connection = "DeadlineAlerts:Storage")] string message, CancellationToken cancellationToken) =>
        (await delivery.DeliverAsync(DeliveryMessage.Parse(message), cancellationToken)).Count;
}

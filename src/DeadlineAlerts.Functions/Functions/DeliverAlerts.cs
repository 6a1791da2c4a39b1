using DeadlineAlerts.App.Deliver;
using DeadlineAlerts.Storage.Queue;
using Microsoft.Azure.Functions.Worker;

namespace DeadlineAlerts.Functions.Functions;

/// <summary>
/// Delivers what one queue message carries. The trigger's connection is <see cref="Connection"/>, a flat name of its
/// own rather than the app's <c>DeadlineAlerts:Storage</c> section: on Flex Consumption the platform's scale
/// controller reads the trigger's settings to decide whether the app gets instances, and it has been reported to
/// fail on names with <c>:</c> (messages left in the queue, no scale-out). In Azure: <c>DeadlineAlertsQueue__queueServiceUri</c>,
/// <c>__credential=managedidentity</c> and <c>__clientId</c> (infra/modules/functionapp.bicep), the same queue service as
/// <c>DeadlineAlerts__Storage__QueueServiceUri</c>; locally, <c>DeadlineAlertsQueue</c> holds a connection string.
/// Retries of individual alerts are the app's (delayed messages); if this function throws, the host retries the whole
/// message and moves it to <c>alerts-poison</c> after maxDequeueCount (host.json).
/// </summary>
public sealed class DeliverAlerts(DeliveryService delivery)
{
    /// <summary>The queue of the unprefixed installation (<c>StorageNames.For("").AlertQueue</c>).</summary>
    public const string QueueName = "alerts";

    /// <summary>The trigger's connection name (app settings <c>DeadlineAlertsQueue</c> or <c>DeadlineAlertsQueue__*</c>).</summary>
    public const string Connection = "DeadlineAlertsQueue";

    [Function(nameof(DeliverAlerts))]
    public async Task<int> Run([QueueTrigger(QueueName, Connection = Connection)] string message, CancellationToken cancellationToken) =>
        (await delivery.DeliverAsync(DeliveryMessage.Parse(message), cancellationToken)).Count;
}

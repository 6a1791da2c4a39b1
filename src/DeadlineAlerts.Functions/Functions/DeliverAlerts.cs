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
/// The queue is the app setting <see cref="QueueSetting"/> (a binding expression the host resolves, as the platform's
/// scale controller does): <c>&lt;prefix&gt;alerts</c>, the app's <c>StorageNames.AlertQueue</c> for
/// <c>DeadlineAlerts__TablePrefix</c>. A constant would miss every message of a prefixed installation;
/// functionapp.bicep sets both settings from one parameter, and <see cref="AlertQueueCheck"/> stops the worker at start
/// if they disagree. Retries of individual alerts are the app's (delayed messages); if this function throws, the host
/// retries the whole message and moves it to <c>&lt;queue&gt;-poison</c> after maxDequeueCount (host.json), the app's
/// <c>StorageNames.PoisonQueue</c> too.
/// </summary>
public sealed class DeliverAlerts(DeliveryService delivery)
{
    /// <summary>The app setting that names the trigger's queue (<c>alerts</c> without a prefix).</summary>
    public const string QueueSetting = "AlertQueueName";

    /// <summary>The trigger's queue name as the host reads it: the binding expression <c>%AlertQueueName%</c>.</summary>
    public const string QueueName = "%" + QueueSetting + "%";

    /// <summary>The trigger's connection name (app settings <c>DeadlineAlertsQueue</c> or <c>DeadlineAlertsQueue__*</c>).</summary>
    public const string Connection = "DeadlineAlertsQueue";

    [Function(nameof(DeliverAlerts))]
    public async Task<int> Run([QueueTrigger(QueueName, Connection = Connection)] string message, CancellationToken cancellationToken) =>
        (await delivery.DeliverAsync(DeliveryMessage.Parse(message), cancellationToken)).Count;
}

using DeadlineAlerts.Functions.Functions;
using DeadlineAlerts.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DeadlineAlerts.Functions;

/// <summary>
/// Stops the worker at start when the DeliverAlerts trigger would listen on another queue than the one the app writes:
/// app setting <c>AlertQueueName</c> (what the trigger binds) against <c>StorageNames.AlertQueue</c> of
/// <c>DeadlineAlerts__TablePrefix</c> (what the tick sends to). Left running, such an app would plan and queue every alert
/// and deliver none, with health going degraded only minutes later; a worker that will not start shows up at the first
/// deployment instead. The message names both settings, both values and the fix.
/// </summary>
public sealed class AlertQueueCheck(IConfiguration configuration, StorageOptions storage, ILogger<AlertQueueCheck> logger) : IHostedService
{
    /// <summary>What is wrong, or null when the trigger's queue is the app's.</summary>
    public static string? Problem(IConfiguration configuration, StorageNames names)
    {
        var bound = configuration[DeliverAlerts.QueueSetting];
        if (string.IsNullOrWhiteSpace(bound))
            return $"App setting {DeliverAlerts.QueueSetting} is not set, so the DeliverAlerts queue trigger has no queue; " +
                   $"set it to \"{names.AlertQueue}\", the queue the app writes for DeadlineAlerts__TablePrefix \"{names.Prefix}\" " +
                   "(infra/modules/functionapp.bicep sets both from tablePrefix).";
        if (!string.Equals(bound, names.AlertQueue, StringComparison.Ordinal))
            return $"App setting {DeliverAlerts.QueueSetting} is \"{bound}\", but the app writes alerts to \"{names.AlertQueue}\" " +
                   $"(DeadlineAlerts__TablePrefix \"{names.Prefix}\"): the DeliverAlerts trigger would never see them. " +
                   $"Set {DeliverAlerts.QueueSetting} to \"{names.AlertQueue}\" (infra/modules/functionapp.bicep sets both from tablePrefix).";
        return null;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Problem(configuration, StorageNames.For(storage.TablePrefix)) is { } problem)
        {
            logger.LogCritical("AlertQueueMismatch: {Problem}", problem);
            throw new InvalidOperationException(problem);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

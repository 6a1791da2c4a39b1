using DeadlineAlerts.Core.Time;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DeadlineAlerts.Functions;

/// <summary>Logs at start which tz data the worker resolves zones with (and warns when it is older than embedded).</summary>
public sealed class TimeZoneDataStartupLog(TimeZoneData tzData, ILogger<TimeZoneDataStartupLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("TimeZoneData: tz data {TzdbVersion} from {TzdbSource} (embedded {EmbeddedTzdbVersion})",
            tzData.Version, tzData.Source, TimeZoneData.EmbeddedVersion);
        if (tzData.Warning is { } warning) logger.LogWarning("TimeZoneDataOlderThanEmbedded: {Warning}", warning);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.App.Scan;
using Microsoft.Azure.Functions.Worker;

namespace DeadlineAlerts.Functions.Functions;

/// <summary>
/// The tick. Schedule from the app setting <c>ScanSchedule</c> (NCRONTAB with seconds, in UTC: Flex
/// Consumption ignores WEBSITE_TIME_ZONE, and all zone logic is NodaTime's anyway). The host runs a timer as
/// a singleton under a blob lease; UseMonitor keeps the schedule across restarts. The first run in a process makes
/// sure the tables and queues exist (the worker also does at start), so a tick on an empty account does not fail.
/// </summary>
public sealed class ScanDeadlines(ScanService scan, StorageReadiness storage)
{
    [Function(nameof(ScanDeadlines))]
    public async Task<TickResult> Run([TimerTrigger("%ScanSchedule%", UseMonitor = true)] TimerInfo timer, CancellationToken cancellationToken)
    {
        await storage.EnsureAsync(cancellationToken);
        return await scan.TickAsync(cancellationToken);
    }
}

using DeadlineAlerts.App.Scan;
using Microsoft.Azure.Functions.Worker;

namespace DeadlineAlerts.Functions.Functions;

/// <summary>
/// The tick. Schedule from the app setting <c>ScanSchedule</c> (NCRONTAB with seconds, in UTC: Flex
/// Consumption ignores WEBSITE_TIME_ZONE, and all zone logic is NodaTime's anyway). The host runs a timer as
/// a singleton under a blob lease; UseMonitor keeps the schedule across restarts.
/// </summary>
public sealed class ScanDeadlines(ScanService scan)
{
    [Function(nameof(ScanDeadlines))]
    public Task<TickResult> Run([TimerTrigger("%ScanSchedule%", UseMonitor = true)] TimerInfo timer, CancellationToken cancellationToken) =>
        scan.TickAsync(cancellationToken);
}

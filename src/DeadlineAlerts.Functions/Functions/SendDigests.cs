using DeadlineAlerts.App.Digest;
using DeadlineAlerts.App.Hosting;
using Microsoft.Azure.Functions.Worker;
using NodaTime;

namespace DeadlineAlerts.Functions.Functions;

/// <summary>
/// Plans and queues the digests whose local hour has come (<see cref="DigestService"/>); <c>DeliverAlerts</c>
/// sends them. Schedule from the app setting <c>DigestSchedule</c> (NCRONTAB, UTC; default every 15 minutes,
/// so a digest goes out within 15 minutes of its local time, in any zone and across DST changes). A run
/// plans each period once, so a repeated or overlapping run sends nothing twice; UseMonitor keeps the
/// schedule across restarts, and a run after downtime sends the latest missed period once. Like the scan, its first
/// run in a process makes sure the tables and queues exist.
/// </summary>
public sealed class SendDigests(DigestService digests, IClock clock, StorageReadiness storage)
{
    [Function(nameof(SendDigests))]
    public async Task<DigestRunResult> Run([TimerTrigger("%DigestSchedule%", UseMonitor = true)] TimerInfo timer, CancellationToken cancellationToken)
    {
        await storage.EnsureAsync(cancellationToken);
        return await digests.RunAsync(clock.GetCurrentInstant(), cancellationToken);
    }
}

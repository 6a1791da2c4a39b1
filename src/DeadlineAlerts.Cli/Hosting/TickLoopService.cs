using DeadlineAlerts.App;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DeadlineAlerts.Cli.Hosting;

/// <summary>
/// What <c>dla run</c> and <c>dla serve</c> run, as <c>func start</c> runs the timer and queue functions: a
/// <see cref="LocalTick"/> every scan period, then delivery of what is visible on the queue, until the host stops
/// (Ctrl-C, SIGTERM: the host's console lifetime; a test: the token given to <c>dla</c>).
/// A failed tick (storage unreachable, a timeout) is logged and tried again next period: the host, its API and its
/// health endpoint stay up.
/// </summary>
internal sealed class TickLoopService(LocalTick tick, StorageClients storage, IOptions<AlertsOptions> options,
    CliOutput output, ILogger<TickLoopService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = options.Value.ScanPeriod;
        await output.Out.WriteLineAsync($"Ticking every {period}; Ctrl-C to stop.");
        using var timer = new PeriodicTimer(period);
        var storageReady = false;
        try
        {
            do
            {
                try
                {
                    if (!storageReady) { await storage.EnsureCreatedAsync(stoppingToken); storageReady = true; } // once it has worked, not every tick
                    await tick.RunAsync(drainAll: false, stoppingToken);
                }
                // Any failure, expected or not: a long-running host logs it and ticks again, as the Functions host survives a failed run.
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    storageReady = false; // storage may come back empty (a new emulator): create the tables again first
                    var what = ExitCodes.FailureText(e);
                    logger.HostStepFailed("tick and delivery", what);
                    await output.Out.WriteLineAsync($"Tick failed: {what}; trying again in {period}.");
                    await output.Out.FlushAsync(stoppingToken);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        // Stopping during a step: whatever that step throws as it is cut short (a cancelled storage call may surface
        // as a RequestFailedException or an AggregateException, not only as cancellation) is the stop, not a failure.
        catch (Exception) when (stoppingToken.IsCancellationRequested) { }
    }
}

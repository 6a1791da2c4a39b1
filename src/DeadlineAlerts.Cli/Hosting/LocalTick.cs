using DeadlineAlerts.App;
using DeadlineAlerts.App.Digest;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Storage.Ledger;
using Microsoft.Extensions.Options;
using NodaTime;
using static DeadlineAlerts.Cli.CliText;

namespace DeadlineAlerts.Cli.Hosting;

/// <summary>
/// One tick of the local host, as an operator reads it: the scan, then the digests (cheap when none is due: one
/// read of the subscribers; a period is planned once however often this runs), then delivery of what both queued,
/// each delivery on a line. <c>dla run --once</c> runs it once; <see cref="TickLoopService"/> every scan period.
/// </summary>
internal sealed class LocalTick(ScanService scan, DigestService digests, IClock clock, LocalQueueRunner runner,
    IOptions<AlertsOptions> options, CliOutput output)
{
    /// <param name="drainAll">Deliver until the queue is empty, waiting out retry delays (<c>--once</c>); else only what is visible now.</param>
    public async Task RunAsync(bool drainAll, CancellationToken ct)
    {
        var stdout = output.Out;
        var tick = await scan.TickAsync(ct);
        var window = tick.WindowStart is { } s ? $"({TimeText.Iso(s)}, {TimeText.Iso(tick.WindowEnd)}]" : "(nothing stored yet)";
        await stdout.WriteLineAsync($"Tick {window}: {tick.Planned} alert delivery(ies) planned ({tick.Late} late), {tick.Skipped} skipped"
                                    + (tick.Superseded > 0 ? $", {tick.Superseded} superseded by a later alert of the same deadline" : "")
                                    + (tick.Requeued > 0 ? $"; {tick.Requeued} unfinished delivery(ies) queued again" : "") + ".");
        foreach (var u in tick.Unreadable)
            await stdout.WriteLineAsync($"  unreadable {T(u)}");
        var digest = await digests.RunAsync(clock.GetCurrentInstant(), ct);
        if (digest.Planned + digest.Skipped > 0)
            await stdout.WriteLineAsync($"Digests: {digest.Planned} delivery(ies) planned, {digest.Skipped} skipped.");
        var lines = drainAll
            ? await runner.DrainAllAsync(options.Value.MaxRetryDelay * 2, ct)
            : (await runner.DrainVisibleAsync(ct)).Lines;
        foreach (var l in lines.OrderBy(l => l.Entry.FireAt))
        {
            var what = l.Text?.Split('\n')[0] ?? l.Entry.MessageId;
            var detail = l.Status == LedgerStatus.Delivered ? "" : $"  ({l.Reason})";
            await stdout.WriteLineAsync($"  {l.Status.Wire(),-9} {T(l.Entry.ChannelType),-7} {T(l.ChannelShown),-40} {T(l.Entry.SubscriberId)}: {T(what)}{T(detail)}");
        }
        await stdout.FlushAsync(ct);
    }
}

/// <summary>Where a command's output goes (the writers <see cref="Dla.RunAsync(string[], Microsoft.Extensions.Configuration.IConfiguration?, TextWriter, TextWriter, CancellationToken)"/> was given), for services that print.</summary>
internal sealed record CliOutput(TextWriter Out, TextWriter Err);

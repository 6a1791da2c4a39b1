using System.CommandLine;
using DeadlineAlerts.App.TimeZones;
using DeadlineAlerts.Core.Rendering;
using Microsoft.Extensions.DependencyInjection;
using static DeadlineAlerts.Cli.CliText;

namespace DeadlineAlerts.Cli.Commands;

/// <summary><c>dla replan</c>: every future alert re-planned with the tz data in use.</summary>
internal static class ReplanCommand
{
    public static Command Create(DlaSession dla)
    {
        var command = new Command("replan", "Re-plans every future alert with the tz data in use (the first tick after the data changed does it by itself): "
            + "a deadline whose local due time now means another instant is moved, with history, an audit entry by tzdb and a notice to its followers; each alert fires once, at its new instant.");
        command.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            await DlaSession.EnsureStorageAsync(sp, ct);
            var replanner = sp.GetRequiredService<Replanner>();
            var r = await replanner.ReplanAsync(await replanner.PlannedAsync(ct), ct);
            await dla.Out.WriteLineAsync($"Re-planned every future alert with tz data {r.To} (planned before with {r.From ?? "an unrecorded version"}).");
            if (r.Moved.Count == 0) await dla.Out.WriteLineAsync("No deadline's due instant moved.");
            foreach (var m in r.Moved)
                await dla.Out.WriteLineAsync($"  {T(m.DeadlineId)} ({m.Zone}): due {TimeText.Iso(m.Was)} is now {TimeText.Iso(m.Now)}; {m.NoticesQueued} notice(s) queued");
            await dla.Out.WriteLineAsync($"{r.AlertsScheduled} alert(s) at new instants, {r.SentNow} queued now (their new instant had passed), " +
                $"{r.AlreadySent} already sent at their earlier instant (recorded, not sent again).");
            return ExitCodes.Ok;
        }));
        return command;
    }
}

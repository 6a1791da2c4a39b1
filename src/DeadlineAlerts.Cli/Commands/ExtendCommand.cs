using System.CommandLine;

namespace DeadlineAlerts.Cli.Commands;

/// <summary><c>dla extend ID --to LOCAL</c>: moves a deadline's due time, re-arms its alerts, tells its followers.</summary>
internal static class ExtendCommand
{
    public static Command Create(DlaSession dla)
    {
        var id = Milestones.Id();
        var to = new Option<string>("--to") { Description = "The new due time on the local calendar, e.g. 2025-11-10T00:01.", HelpName = "LOCAL", Required = true };
        var zone = new Option<string?>("--zone") { Description = "The zone of --to (default: the deadline's).", HelpName = "ZONE" };
        var reason = Milestones.Reason();
        var command = new Command("extend", "Moves a deadline's due time (later or earlier): re-arms its alerts, cancels the unsent old ones, queues a notice to every follower.")
        {
            id, to, zone, reason,
        };
        command.SetAction(Milestones.Action(dla, id, (parse, milestones, deadline, ct) =>
            milestones.ExtendAsync(deadline, parse.GetRequiredValue(to), parse.GetValue(zone), parse.GetValue(reason), Dla.Actor, ct: ct), extend: true));
        return command;
    }
}

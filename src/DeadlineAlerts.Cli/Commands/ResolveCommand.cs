using System.CommandLine;

namespace DeadlineAlerts.Cli.Commands;

/// <summary><c>dla resolve ID</c>: the deadline was met or is no longer pending.</summary>
internal static class ResolveCommand
{
    public static Command Create(DlaSession dla)
    {
        var id = Milestones.Id();
        var reason = Milestones.Reason();
        var series = Milestones.Series();
        var command = new Command("resolve", "Marks a deadline met or no longer pending: no further alerts; queues a short notice to every follower.") { id, reason, series };
        command.SetAction(Milestones.Action(dla, id, (parse, milestones, deadline, ct) =>
            milestones.ResolveAsync(deadline, parse.GetValue(reason), Dla.Actor, series: parse.GetValue(series), ct: ct), extend: false));
        return command;
    }
}

using System.CommandLine;

namespace DeadlineAlerts.Cli.Commands;

/// <summary><c>dla cancel ID</c>: the deadline is called off.</summary>
internal static class CancelCommand
{
    public static Command Create(DlaSession dla)
    {
        var id = Milestones.Id();
        var reason = Milestones.Reason();
        var series = Milestones.Series();
        var command = new Command("cancel", "Calls a deadline off: no further alerts; queues a short notice to every follower.") { id, reason, series };
        command.SetAction(Milestones.Action(dla, id, (parse, milestones, deadline, ct) =>
            milestones.CancelAsync(deadline, parse.GetValue(reason), Dla.Actor, series: parse.GetValue(series), ct: ct), extend: false));
        return command;
    }
}

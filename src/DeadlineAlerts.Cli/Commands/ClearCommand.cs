using System.CommandLine;
using DeadlineAlerts.App.Operator;
using Microsoft.Extensions.DependencyInjection;

namespace DeadlineAlerts.Cli.Commands;

/// <summary><c>dla clear SUBSCRIBER_ID CHANNEL_ID</c>: clears a channel's broken mark (audited as cli).</summary>
internal static class ClearCommand
{
    public static Command Create(DlaSession dla)
    {
        var subscriber = OperatorArguments.Subscriber();
        var channel = OperatorArguments.Channel();
        var command = new Command("clear", "Clears a channel's broken mark so alerts go to it again (send it a test first).") { subscriber, channel };
        command.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            var (s, c) = (parse.GetRequiredValue(subscriber), parse.GetRequiredValue(channel));
            await DlaSession.EnsureStorageAsync(sp, ct);
            bool cleared;
            try { cleared = await sp.GetRequiredService<OperatorActions>().ClearAsync(s, c, Dla.Actor, ct); }
            catch (OperatorActionException e) { throw new BadInputException(e.Message); }
            await dla.Out.WriteLineAsync(cleared
                ? $"Channel {CliText.T(c)} of {CliText.T(s)}: broken mark cleared; alerts go to it again."
                : $"Channel {CliText.T(c)} of {CliText.T(s)} was not marked broken; nothing changed.");
            return ExitCodes.Ok;
        }));
        return command;
    }
}

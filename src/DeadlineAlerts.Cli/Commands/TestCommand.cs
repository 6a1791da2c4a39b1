using System.CommandLine;
using DeadlineAlerts.App.Operator;
using Microsoft.Extensions.DependencyInjection;
using static DeadlineAlerts.Cli.CliText;

namespace DeadlineAlerts.Cli.Commands;

/// <summary><c>dla test SUBSCRIBER_ID CHANNEL_ID</c>: a clearly marked test message through the channel now (audited as cli).</summary>
internal static class TestCommand
{
    public static Command Create(DlaSession dla)
    {
        var subscriber = OperatorArguments.Subscriber();
        var channel = OperatorArguments.Channel();
        var command = new Command("test", "Sends a clearly marked test message through the channel now and prints the outcome: delivered, or the receiver's answer.") { subscriber, channel };
        command.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            await DlaSession.EnsureStorageAsync(sp, ct);
            try
            {
                var t = await sp.GetRequiredService<OperatorActions>().TestAsync(parse.GetRequiredValue(subscriber), parse.GetRequiredValue(channel), Dla.Actor, ct);
                await dla.Out.WriteLineAsync($"Test message {t.MessageId} to {T(t.ChannelId)} ({T(t.ChannelShown)}) of {T(t.SubscriberId)}: {T(t.Outcome)}");
                return t.Delivered ? ExitCodes.Ok : ExitCodes.Failure;
            }
            catch (OperatorActionException e) { throw new BadInputException(e.Message); }
        }));
        return command;
    }
}

/// <summary>The arguments <c>test</c> and <c>clear</c> share.</summary>
internal static class OperatorArguments
{
    public static Argument<string> Subscriber() => new("SUBSCRIBER_ID") { Description = "The subscriber's id." };
    public static Argument<string> Channel() => new("CHANNEL_ID") { Description = "The channel's id (dla subscribers lists them)." };
}

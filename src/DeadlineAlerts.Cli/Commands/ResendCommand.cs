using System.CommandLine;
using DeadlineAlerts.App.Operator;
using DeadlineAlerts.Storage.Ledger;
using Microsoft.Extensions.DependencyInjection;
using static DeadlineAlerts.Cli.CliText;

namespace DeadlineAlerts.Cli.Commands;

/// <summary><c>dla resend LEDGER_KEY | --poison</c>: a failed delivery sent again through the outbox (audited as cli).</summary>
internal static class ResendCommand
{
    public static Command Create(DlaSession dla)
    {
        var key = new Argument<string?>("LEDGER_KEY") { Description = "The failed delivery's key (dla alerts --status failed shows it).", Arity = ArgumentArity.ZeroOrOne };
        var poison = new Option<bool>("--poison") { Description = "Every delivery the poison queue holds." };
        var command = new Command("resend", "Sends a failed delivery again through the outbox: dla run or dla serve delivers it.") { key, poison };
        command.Validators.Add(r =>
        {
            if ((r.GetValue(key) is null) == !r.GetValue(poison))
                r.AddError("dla resend needs one LEDGER_KEY (from dla alerts --status failed) or --poison.");
        });
        command.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            await DlaSession.EnsureStorageAsync(sp, ct);
            var actions = sp.GetRequiredService<OperatorActions>();
            try
            {
                if (parse.GetValue(poison))
                {
                    var (resent, problems) = await actions.RetryPoisonAsync(Dla.Actor, ct);
                    foreach (var r in resent) await dla.Out.WriteLineAsync($"Re-sent {T(r.MessageId)} to {T(r.ChannelId)} of {T(r.SubscriberId)} as {T(OperatorActions.LedgerKey(r))}.");
                    foreach (var p in problems) await dla.Out.WriteLineAsync("  not re-sent: " + T(p));
                    await dla.Out.WriteLineAsync($"{resent.Count} delivery(ies) queued again from the poison queue (dla run delivers them).");
                    return ExitCodes.Ok;
                }
                var row = await actions.ResendAsync(parse.GetValue(key)!, Dla.Actor, ct);
                await dla.Out.WriteLineAsync($"Re-sent {T(row.MessageId)} to {T(row.ChannelId)} of {T(row.SubscriberId)} as {T(OperatorActions.LedgerKey(row))} ({row.Status.Wire()}; dla run delivers it).");
                return ExitCodes.Ok;
            }
            catch (OperatorActionException e) { throw new BadInputException(e.Message); }
        }));
        return command;
    }
}

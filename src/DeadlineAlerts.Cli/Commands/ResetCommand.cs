using System.CommandLine;
using DeadlineAlerts.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace DeadlineAlerts.Cli.Commands;

/// <summary><c>dla reset --yes</c>: deletes every table and queue of the installation.</summary>
internal static class ResetCommand
{
    public static Command Create(DlaSession dla)
    {
        var yes = new Option<bool>("--yes") { Description = "Confirms the deletion." };
        var command = new Command("reset", "Deletes every table and queue of the installation (--table-prefix).") { yes };
        command.Validators.Add(r =>
        {
            if (!r.GetValue(yes)) r.AddError("dla reset deletes every table and queue of the installation; confirm with --yes.");
        });
        command.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            var clients = sp.GetRequiredService<StorageClients>();
            foreach (var t in clients.Names.Tables) await clients.Tables.DeleteTableAsync(t, ct);
            await clients.Queue(clients.Names.AlertQueue).DeleteIfExistsAsync(ct);
            await clients.Queue(clients.Names.PoisonQueue).DeleteIfExistsAsync(ct);
            await dla.Out.WriteLineAsync($"Deleted the tables and queues of installation \"{clients.Names.Prefix}\".");
            return ExitCodes.Ok;
        }));
        return command;
    }
}

using System.CommandLine;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Storage.Records;
using Microsoft.Extensions.DependencyInjection;
using static DeadlineAlerts.Cli.CliText;

namespace DeadlineAlerts.Cli.Commands;

/// <summary><c>dla subscribers</c>: who follows what, where they are told; channel URLs redacted.</summary>
internal static class SubscribersCommand
{
    public static Command Create(DlaSession dla)
    {
        var json = new Option<bool>("--json") { Description = "The records as the API answers them (channel URLs redacted, each with its id)." };
        var command = new Command("subscribers", "Lists subscribers, their zones and channels (URLs redacted).") { json };
        command.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            await DlaSession.EnsureStorageAsync(sp, ct);
            var list = (await sp.GetRequiredService<RecordStore>().ListSubscribersAsync(ct)).OrderBy(s => s.Id.Value, StringComparer.Ordinal).ToList();
            if (parse.GetValue(json))
            {
                await dla.Out.WriteLineAsync(JsonArray(list.Select(s => RecordJson.Subscriber(s, includeSecrets: false))));
                return ExitCodes.Ok;
            }
            if (list.Count == 0) { await dla.Out.WriteLineAsync("No subscribers stored."); return ExitCodes.Ok; }
            Tables.Write(dla.Out, Tables.Subscribers(list), DlaSession.Columns(sp));
            return ExitCodes.Ok;
        }));
        return command;
    }
}

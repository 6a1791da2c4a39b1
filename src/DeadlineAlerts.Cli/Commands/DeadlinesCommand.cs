using System.CommandLine;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Storage.Records;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using static DeadlineAlerts.Cli.CliText;

namespace DeadlineAlerts.Cli.Commands;

/// <summary><c>dla deadlines</c>: every deadline with where it stands and its latest change.</summary>
internal static class DeadlinesCommand
{
    public static Command Create(DlaSession dla)
    {
        var json = new Option<bool>("--json") { Description = "The records as the API answers them (with history, dueInstant, standing)." };
        var command = new Command("deadlines", "Lists deadlines with their countdowns or status (\"overdue by 2 days\"), and the latest change.") { json };
        command.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            await DlaSession.EnsureStorageAsync(sp, ct);
            var now = sp.GetRequiredService<IClock>().GetCurrentInstant();
            var list = (await sp.GetRequiredService<RecordStore>().ListDeadlinesAsync(ct)).OrderBy(d => (Occurrences.Next(d, now) ?? d).Due.Instant).ThenBy(d => d.Id.Value, StringComparer.Ordinal).ToList();
            if (parse.GetValue(json))
            {
                await dla.Out.WriteLineAsync(JsonArray(list.Select(d => RecordJson.Deadline(d, now))));
                return ExitCodes.Ok;
            }
            if (list.Count == 0) { await dla.Out.WriteLineAsync("No deadlines stored. Import some with dla import FILE.json."); return ExitCodes.Ok; }
            Tables.Write(dla.Out, Tables.Deadlines(list, now), DlaSession.Columns(sp));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>"extended by 90 days on Wed 6 Aug 08:00 EDT by alice (was due Tue 12 Aug 00:01 EDT): talks continue".</summary>
    public static string ChangeText(HistoryEntry h)
    {
        var moved = h.OldDue.Instant == h.NewDue.Instant ? "" : $" by {MessageView.ShiftWords(h.OldDue.Instant, h.NewDue.Instant, h.NewDue.Zone)}";
        return $"{h.Kind}{moved} on {TimeText.Brief(h.At, h.NewDue.Zone)} by {h.By} (was due {TimeText.Brief(h.OldDue.Instant, h.OldDue.Zone)})"
               + (h.Reason is { } r ? $": {r}" : "");
    }
}

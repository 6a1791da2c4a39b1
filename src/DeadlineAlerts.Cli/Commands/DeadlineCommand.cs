using System.CommandLine;
using Azure;
using DeadlineAlerts.App.Records;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Records;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using static DeadlineAlerts.Cli.CliText;

namespace DeadlineAlerts.Cli.Commands;

/// <summary>
/// <c>dla deadline show|add|delete</c>: one deadline at a time, written through <see cref="RecordWriter"/> (alerts
/// planned, audited as <c>cli</c>) as the API's <c>/api/deadlines</c> writes it.
/// </summary>
internal static class DeadlineCommand
{
    private const string Kind = "deadline";

    public static Command Create(DlaSession dla)
    {
        var command = new Command(Kind, "One deadline: show it, add one from a file, edit one in $EDITOR, delete one.");
        command.Subcommands.Add(Show(dla));
        command.Subcommands.Add(RecordFile.Add(dla, RecordKind.Deadline, Kind));
        command.Subcommands.Add(RecordFile.Edit(dla, RecordKind.Deadline, Kind));
        command.Subcommands.Add(RecordFile.Delete(dla, RecordKind.Deadline, Kind));
        return command;
    }

    private static Command Show(DlaSession dla)
    {
        var id = RecordFile.Id(Kind);
        var json = RecordFile.Json();
        var show = new Command("show", "The deadline: a readable summary, or with --json the import-format record.") { id, json };
        show.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            var deadlineId = parse.GetRequiredValue(id);
            await DlaSession.EnsureStorageAsync(sp, ct);
            if (parse.GetValue(json)) return await RecordFile.ShowJsonAsync(dla, sp, RecordKind.Deadline, deadlineId, ct);
            var d = (await sp.GetRequiredService<RecordStore>().GetDeadlineAsync(deadlineId, ct) ?? throw NotStored(deadlineId)).Value;
            var now = sp.GetRequiredService<IClock>().GetCurrentInstant();
            var fields = new List<(string, string)>
            {
                ("id", T(d.Id)), ("title", T(d.Title)), ("due", TimeText.Full(d.Due.Instant, d.Due.Zone)),
                ("standing", Countdown.Standing(d, now)), ("status", d.Status.ToString().ToLowerInvariant()),
            };
            if (d.Category is not null) fields.Add(("category", T(d.Category)));
            if (d.LeadTimes.Count > 0) fields.Add(("lead times", string.Join(" ", d.LeadTimes.Select(l => l.Text))));
            if (d.Source is not null) fields.Add(("source", T(d.Source)));
            if (d.Notes is not null) fields.Add(("notes", T(d.Notes)));
            fields.AddRange(d.History.Select(h => ("change", T(DeadlinesCommand.ChangeText(h)))));
            Tables.Write(dla.Out, Tables.Fields(fields), DlaSession.Columns(sp));
            return ExitCodes.Ok;
        }));
        return show;
    }

    private static BadInputException NotStored(string id) => new($"deadline {T(id)} is not stored; dla deadlines lists the ids.");

}

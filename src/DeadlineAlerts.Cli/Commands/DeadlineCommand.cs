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
        var command = new Command(Kind, "One deadline: show it, add one from a file, delete one.");
        command.Subcommands.Add(Show(dla));
        command.Subcommands.Add(Add(dla));
        command.Subcommands.Add(Delete(dla));
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
            var d = (await sp.GetRequiredService<RecordStore>().GetDeadlineAsync(deadlineId, ct) ?? throw NotStored(deadlineId)).Value;
            var now = sp.GetRequiredService<IClock>().GetCurrentInstant();
            if (parse.GetValue(json))
            {
                await dla.Out.WriteLineAsync(RecordJson.Deadline(d, now).ToJsonString(Json));
                return ExitCodes.Ok;
            }
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

    private static Command Add(DlaSession dla)
    {
        var file = RecordFile.File();
        var add = new Command("add", "Adds one deadline from an import-format JSON object (refused if its id is stored; to change one, dla import).") { file };
        add.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            var now = sp.GetRequiredService<IClock>().GetCurrentInstant();
            var set = await RecordFile.ReadAsync(parse.GetRequiredValue(file), "deadlines", sp.GetRequiredService<RecordReader>(), now, ct);
            var d = set.Deadlines.Single();
            await DlaSession.EnsureStorageAsync(sp, ct);
            var records = sp.GetRequiredService<RecordStore>();
            if (await records.GetDeadlineAsync(d.Id, ct) is not null) throw Exists(d.Id.Value);
            RecordWrite<ETag> write;
            try
            {
                write = await sp.GetRequiredService<RecordWriter>().WriteAsync([new DeadlineChange(null, d, AuditAction.Created)], [], Dla.Actor,
                    c => records.InsertDeadlineAsync(d, c), ct: ct);
            }
            catch (RequestFailedException e) when (e.Status == 409) { throw Exists(d.Id.Value); }
            foreach (var w in set.Warnings) await dla.Err.WriteLineAsync("warning: " + T(w));
            await dla.Out.WriteLineAsync($"Added deadline {T(d.Id)}, due {TimeText.Full(d.Due.Instant, d.Due.Zone)}; {write.AlertsScheduled} alert(s) scheduled.");
            return ExitCodes.Ok;
        }));
        return add;
    }

    private static Command Delete(DlaSession dla)
    {
        var id = RecordFile.Id(Kind);
        var yes = RecordFile.Yes();
        var delete = new Command("delete", "Deletes one deadline; its unsent alerts are not sent. Confirm with --yes.") { id, yes };
        delete.Validators.Add(r =>
        {
            if (!r.GetValue(yes)) r.AddError("dla deadline delete removes the deadline and its unsent alerts; confirm with --yes.");
        });
        delete.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            var deadlineId = parse.GetRequiredValue(id);
            await DlaSession.EnsureStorageAsync(sp, ct);
            var records = sp.GetRequiredService<RecordStore>();
            var stored = await records.GetDeadlineAsync(deadlineId, ct) ?? throw NotStored(deadlineId);
            try
            {
                await sp.GetRequiredService<RecordWriter>().WriteAsync([new DeadlineChange(stored.Value, null, AuditAction.Deleted)], [], Dla.Actor,
                    c => records.DeleteDeadlineAsync(deadlineId, stored.ETag, c), ct);
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                throw new BadInputException($"deadline {T(deadlineId)} changed while it was being deleted; nothing was deleted. Run dla deadline show {T(deadlineId)} and try again.");
            }
            await dla.Out.WriteLineAsync($"Deleted deadline {T(deadlineId)}.");
            return ExitCodes.Ok;
        }));
        return delete;
    }

    private static BadInputException NotStored(string id) => new($"deadline {T(id)} is not stored; dla deadlines lists the ids.");

    private static BadInputException Exists(string id) =>
        new($"deadline {T(id)} exists; nothing was written. To change it, import it (dla import) or delete it first.");
}

using System.CommandLine;
using DeadlineAlerts.App.Records;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DeadlineAlerts.Cli.Commands;

/// <summary>
/// What <c>dla deadline</c> and <c>dla subscriber</c> share: the record ID, <c>--file F|-</c>, <c>--yes</c>,
/// <c>--if-match</c>, and the <c>show --json</c>, <c>add</c>, <c>edit</c> and <c>delete</c> subcommands, whose bodies
/// are <see cref="RecordCommands"/> (the same <c>SingleRecords</c> service the API's <c>/api/deadlines/{id}</c> and
/// <c>/api/subscribers/{id}</c> use: the import format of one record, the import's rules, every write re-planned
/// and audited as <c>cli</c>).
/// </summary>
internal static class RecordFile
{
    public static Argument<string> Id(string kind) => new("ID") { Description = $"The {kind}'s id (dla {kind}s lists them)." };

    public static Option<string> File() => new("--file")
    {
        Description = "One record in the import format, as a JSON object (- or no --file reads it from stdin).",
        HelpName = "FILE",
    };

    public static Option<bool> Yes() => new("--yes") { Description = "Confirms the deletion." };

    public static Option<string> IfMatch() => new("--if-match")
    {
        Description = "Delete only if the record is still the version with this ETag (show --json prints it on stderr).",
        HelpName = "ETAG",
    };

    public static Option<bool> Json() => new("--json") { Description = "The record in the import format (what add and edit read); its ETag on stderr." };

    /// <summary><c>show ID --json</c>: the import-format record on stdout, its ETag on stderr.</summary>
    public static Task<int> ShowJsonAsync(DlaSession dla, IServiceProvider sp, RecordKind kind, string id, CancellationToken ct) =>
        RecordCommands.ShowAsync(sp, kind, id, dla.Out, dla.Err, ct);

    public static Command Add(DlaSession dla, RecordKind kind, string name)
    {
        var id = Id(name);
        var file = File();
        var add = new Command("add", $"Adds one {name} from an import-format JSON object (what show --json prints; its id may be left out). Refused if the id is stored.") { id, file };
        add.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            await DlaSession.EnsureStorageAsync(sp, ct);
            return await RecordCommands.AddAsync(sp, kind, parse.GetRequiredValue(id), parse.GetValue(file), Console.In, dla.Out, dla.Err, Dla.Actor, ct);
        }));
        return add;
    }

    public static Command Edit(DlaSession dla, RecordKind kind, string name)
    {
        var id = Id(name);
        var edit = new Command("edit",
            $"Opens the {name} as import-format JSON in $VISUAL, else $EDITOR, else vi; stores it on save with the version read (a change made meanwhile is refused and shown).") { id };
        edit.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            await DlaSession.EnsureStorageAsync(sp, ct);
            var editor = EditorSettings.From(sp.GetRequiredService<IConfiguration>());
            return await RecordCommands.EditAsync(sp, kind, parse.GetRequiredValue(id), editor, dla.Out, dla.Err, Dla.Actor, ct);
        }));
        return edit;
    }

    public static Command Delete(DlaSession dla, RecordKind kind, string name)
    {
        var id = Id(name);
        var yes = Yes();
        var ifMatch = IfMatch();
        var delete = new Command("delete", $"Deletes one {name}; its unsent alerts are not sent. Confirm with --yes.") { id, yes, ifMatch };
        delete.Validators.Add(r =>
        {
            if (!r.GetValue(yes)) r.AddError($"dla {name} delete removes the {name} and its unsent alerts; confirm with --yes.");
        });
        delete.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            await DlaSession.EnsureStorageAsync(sp, ct);
            return await RecordCommands.DeleteAsync(sp, kind, parse.GetRequiredValue(id), parse.GetValue(ifMatch), dla.Out, dla.Err, Dla.Actor, ct);
        }));
        return delete;
    }
}

using System.CommandLine;
using DeadlineAlerts.App.Import;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Storage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using static DeadlineAlerts.Cli.CliText;

namespace DeadlineAlerts.Cli.Commands;

/// <summary><c>dla import FILE</c>: validates and stores deadlines and subscribers, all or nothing.</summary>
internal static class ImportCommand
{
    public static Command Create(DlaSession dla)
    {
        var file = new Argument<string>("FILE") { Description = "A JSON file (deadlines and subscribers) or a CSV file (deadlines, one a row)." };
        var format = new Option<string?>("--format") { Description = "json or csv (default: by the file's extension).", HelpName = "FORMAT" };
        format.AcceptOnlyFromAmong("json", "csv");
        var command = new Command("import", "Validates and stores deadlines and subscribers (all-or-nothing, idempotent by id).") { file, format };
        command.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            var path = parse.GetRequiredValue(file);
            var kind = parse.GetValue(format) ?? (Path.GetExtension(path).Equals(".csv", StringComparison.OrdinalIgnoreCase) ? "csv" : "json");
            if (!File.Exists(path)) throw new BadInputException($"File \"{path}\" does not exist.");
            var size = new FileInfo(path).Length;
            if (size > TextRules.Limits.FileBytes)
                throw new RecordValidationException([new RecordProblem($"file {Path.GetFileName(path)}", "size", null,
                    $"is {size:N0} bytes; an import file may be at most {TextRules.Limits.FileBytes:N0} bytes (16 MiB); split it into several files")]);
            // Read as strict UTF-8: invalid bytes are refused with their offset, never silently replaced by U+FFFD.
            var text = TextRules.DecodeUtf8(await File.ReadAllBytesAsync(path, ct), $"file {Path.GetFileName(path)}");
            var now = sp.GetRequiredService<IClock>().GetCurrentInstant();
            var reader = sp.GetRequiredService<RecordReader>();
            var set = kind == "csv" ? reader.ReadCsv(text, now) : reader.ReadJson(text, now);
            await DlaSession.EnsureStorageAsync(sp, ct);
            var result = await StorageProgress.RunAsync(dla.Err, $"Importing {set.Deadlines.Count + set.Subscribers.Count:N0} records",
                sp.GetRequiredService<StorageClients>(), () => sp.GetRequiredService<ImportService>().ImportAsync(set, ct));
            foreach (var w in result.Warnings) await dla.Err.WriteLineAsync("warning: " + T(w));
            await dla.Out.WriteLineAsync($"Imported {Path.GetFileName(path)}: {result.Added.Count} added, {result.Updated.Count} updated, {result.Unchanged.Count} unchanged; {result.AlertsScheduled} alert(s) scheduled.");
            foreach (var (sub, channel, secret) in result.GeneratedSecrets)
                await dla.Out.WriteLineAsync($"Generated webhook signing secret for subscriber {sub}, channel {channel} (shown once, give it to the receiver): {secret}");
            return ExitCodes.Ok;
        }));
        return command;
    }
}

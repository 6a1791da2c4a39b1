using System.CommandLine;
using System.Text;
using DeadlineAlerts.App.Export;
using DeadlineAlerts.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace DeadlineAlerts.Cli.Commands;

/// <summary><c>dla export</c>: the stored records as an import file, or the active deadlines as a calendar.</summary>
internal static class ExportCommand
{
    public static Command Create(DlaSession dla)
    {
        var format = new Option<string>("--format")
        {
            Description = "json: deadlines and subscribers; csv: deadlines; ics: the active deadlines as a calendar (not importable).",
            HelpName = "FORMAT",
            DefaultValueFactory = _ => "json",
        };
        format.AcceptOnlyFromAmong("json", "csv", "ics");
        var output = new Option<string?>("--out") { Description = "Write to FILE, readable by you alone; only then does json include webhook URLs and signing secrets.", HelpName = "FILE" };
        var command = new Command("export", "Writes the stored records as an import file (webhook URLs and secrets only with --out).") { format, output };
        command.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            var kind = parse.GetRequiredValue(format);
            var path = parse.GetValue(output);
            await DlaSession.EnsureStorageAsync(sp, ct);
            var export = sp.GetRequiredService<ExportService>();
            var text = await StorageProgress.RunAsync(dla.Err, $"Exporting {kind}", sp.GetRequiredService<StorageClients>(), () => kind switch
            {
                "csv" => export.CsvAsync(ct),
                "ics" => export.IcsAsync(ct),
                _ => export.JsonAsync(includeSecrets: path is not null, ct),
            });
            if (path is null)
            {
                await dla.Out.WriteAsync(text);
                if (kind == "json" && await export.HasSecretChannelsAsync(ct))
                    await dla.Err.WriteLineAsync("note: webhook, Slack and Teams URLs and signing secrets are redacted, so this output cannot re-create those channels; use --out FILE for a complete export.");
                return ExitCodes.Ok;
            }
            await WritePrivateFileAsync(path, text, ct);
            await dla.Out.WriteLineAsync($"Exported {kind} to {path}" + (kind == "json" ? " (it holds channel URLs and signing secrets; keep it private)." : "."));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>
    /// Writes a file only its owner can read or write, since a full export holds channel tokens and signing
    /// secrets. The mode is set before the content is written, also when the file already existed.
    /// </summary>
    private static async Task WritePrivateFileAsync(string path, string text, CancellationToken ct)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            await using var stream = new FileStream(path, options);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false));
            await writer.WriteAsync(text.AsMemory(), ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"Cannot write \"{path}\": {e.Message}");
        }
    }
}

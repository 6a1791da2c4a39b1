using System.Diagnostics;
using DeadlineAlerts.Core.Records;
using Microsoft.Extensions.Configuration;

namespace DeadlineAlerts.App.Records;

/// <summary>
/// Which editor <c>dla deadline edit</c> opens and where its file goes: <c>$VISUAL</c>, else <c>$EDITOR</c>, else
/// <c>vi</c> (<c>notepad</c> on Windows). The command may carry arguments (<c>code --wait</c>, <c>emacs -nw</c>): it is
/// run by the shell with the file's path appended as one quoted argument. Passed in rather than read from the
/// process, so tests run in parallel, each with its own editor.
/// </summary>
public sealed record EditorSettings(string? Visual, string? Editor, string TempDirectory)
{
    /// <summary>From configuration that includes the environment (the CLI's), as <c>VISUAL</c> and <c>EDITOR</c>.</summary>
    public static EditorSettings From(IConfiguration configuration) =>
        new(configuration["VISUAL"], configuration["EDITOR"], Path.GetTempPath());

    /// <summary>The command to run, and what chose it (for messages).</summary>
    public (string Command, string Source) Choice =>
        !string.IsNullOrWhiteSpace(Visual) ? (Visual.Trim(), "VISUAL")
        : !string.IsNullOrWhiteSpace(Editor) ? (Editor.Trim(), "EDITOR")
        : (OperatingSystem.IsWindows() ? "notepad" : "vi", "the default, as neither VISUAL nor EDITOR is set");
}

/// <summary>How an edit ended; <see cref="RecordCommands"/> maps it to the exit code.</summary>
public enum EditOutcome
{
    /// <summary>The edited record was stored (re-planned and audited).</summary>
    Saved,
    /// <summary>The file was emptied or left unchanged, or the edit changed no stored field: nothing was written.</summary>
    Cancelled,
    /// <summary>The record changed or was deleted meanwhile, or an invalid edit was saved again unchanged: nothing was
    /// written, and the edited text is kept in a file whose path was printed.</summary>
    Refused,
    /// <summary>The editor could not be run or exited with an error: nothing was written.</summary>
    EditorFailed,
}

/// <summary>
/// <c>kubectl edit</c> for one record: writes it (<see cref="ShownRecord.Text"/>) to a private temp file under a
/// comment header, runs the editor on it and waits; on save, reads it with the import's rules. An invalid record
/// re-opens the editor with the problems as <c>//</c> comments at the top and the user's text kept below them; an
/// empty file or unchanged content cancels. A valid record replaces the stored one with the ETag read at the start,
/// so a change someone made meanwhile is refused, never overwritten: the current record is shown and the edited text
/// is kept in a file whose path is printed. Every other temp file is deleted at the end.
/// </summary>
/// <remarks>
/// The editor inherits the terminal and is always waited for, also when the command is cancelled (Ctrl-C reaches
/// the editor too, and vi ignores it): killing it would lose the text being typed.
/// </remarks>
public sealed class EditorSession<T>(SingleRecords<T> records, EditorSettings editor, TextWriter stdout, TextWriter stderr) where T : class
{
    /// <summary>What starts a line that is ignored on save (the header, the problems of the last save).</summary>
    private const string Comment = "//";

    public async Task<EditOutcome> EditAsync(string id, string actor, CancellationToken ct = default)
    {
        var read = await records.ReadAsync(id, ct);
        var shown = records.Shown(read);
        var original = shown.Text;
        var path = NewFile(shown);
        var keep = false;
        try
        {
            await File.WriteAllTextAsync(path, Header(shown, []) + original + "\n", ct);
            string? lastInvalid = null;
            while (true)
            {
                if (!await RunEditorAsync(path))
                {
                    keep = await KeepsEditAsync(path, original); // a re-opened edit that the editor then failed on
                    return EditOutcome.EditorFailed;
                }
                var text = await File.ReadAllTextAsync(path, ct);
                var body = Body(text);
                if (body.Length == 0 || body == Body(original))
                {
                    await stdout.WriteLineAsync("Edit cancelled, nothing was written.");
                    return EditOutcome.Cancelled;
                }
                if (body == lastInvalid)
                {
                    keep = true;
                    await stderr.WriteLineAsync($"Edit cancelled, nothing was written: the {records.Kind} was saved again with the same problems. Your edited text is kept in {path}");
                    return EditOutcome.Refused;
                }
                try
                {
                    // The text without its comments, so that a line number in a problem counts from the first line
                    // below the comment header, in this file and in the re-opened one alike.
                    var saved = await records.ReplaceAsync(read, body, read.ETag, actor, ct);
                    foreach (var w in saved.Warnings) await stderr.WriteLineAsync("warning: " + TextRules.Terminal(w));
                    if (!saved.Changed)
                    {
                        await stdout.WriteLineAsync($"Edit cancelled, nothing was written: no stored field of {records.Kind} {id} changed.");
                        return EditOutcome.Cancelled;
                    }
                    await stdout.WriteLineAsync($"Updated {records.Kind} {id}: {TextRules.Terminal(saved.Summary)}");
                    foreach (var (sub, channel, secret) in saved.GeneratedSecrets)
                        await stdout.WriteLineAsync($"Generated webhook signing secret for subscriber {sub}, channel {channel} (shown once, give it to the receiver): {secret}");
                    return EditOutcome.Saved;
                }
                catch (RecordValidationException e)
                {
                    // Re-open with the problems on top and the user's text below them, their old comments dropped.
                    lastInvalid = body;
                    await File.WriteAllTextAsync(path, Header(shown, e.Problems) + body + "\n", ct);
                    await stderr.WriteLineAsync($"The {records.Kind} was not saved: {e.Problems.Count} problem(s); re-opening the editor with them at the top.");
                }
            }
        }
        catch (RecordChangedException<T> e)
        {
            keep = true;
            await stderr.WriteLineAsync($"{e.Kind} {id} was changed by someone else since this edit began; nothing was written. As stored now:");
            await stderr.WriteLineAsync(e.Shown.Text);
            await stderr.WriteLineAsync($"Your edited text is kept in {path}; merge your change into the record above with dla {e.Kind} edit {id}.");
            return EditOutcome.Refused;
        }
        catch (RecordNotFoundException e)
        {
            keep = true;
            await stderr.WriteLineAsync($"{e.Message} Your edited text is kept in {path}; add it again with dla {e.Kind} add {id} --file {path}.");
            return EditOutcome.Refused;
        }
        catch (Exception)
        {
            // Storage failed or the command was cancelled after the user edited: keep their text, say where.
            keep = await KeepsEditAsync(path, original);
            throw;
        }
        finally
        {
            if (!keep) File.Delete(path);
        }
    }

    /// <summary>True (and the path printed) when the file holds an edit worth keeping.</summary>
    private async Task<bool> KeepsEditAsync(string path, string original)
    {
        if (!File.Exists(path)) return false;
        var body = Body(await File.ReadAllTextAsync(path, CancellationToken.None));
        if (body.Length == 0 || body == Body(original)) return false;
        await stderr.WriteLineAsync($"Nothing was written. Your edited text is kept in {path}");
        return true;
    }

    /// <summary>The text without its <c>//</c> lines and trailing blanks: what decides "unchanged" and "empty".</summary>
    private static string Body(string text) =>
        string.Join("\n", text.ReplaceLineEndings("\n").Split('\n')
            .Where(l => !l.TrimStart().StartsWith(Comment, StringComparison.Ordinal))
            .Select(l => l.TrimEnd())).Trim();

    private static string Header(ShownRecord shown, IReadOnlyList<RecordProblem> problems)
    {
        var lines = new List<string>
        {
            $"// Edit {shown.Kind} {shown.Id}. Lines starting with // are ignored. Save and quit to apply; an empty file or unchanged content cancels.",
        };
        if (shown.Json.ContainsKey("history"))
            lines.Add("// \"history\" is written by extend, resolve and cancel; changes to it here are ignored.");
        if (shown.Json.ContainsKey("channels"))
            lines.Add("// Channel URLs are not shown: a channel that keeps its \"id\" keeps its URL and secret; to change one, replace it with {\"type\": ..., \"url\": ...}.");
        if (problems.Count > 0)
        {
            lines.Add($"// Not saved: {problems.Count} problem(s). Fix them below, or empty the file to cancel:");
            if (problems.Any(p => p.Field == "JSON"))
                lines.Add("// (a line number counts from the first line below these comments)");
            lines.AddRange(problems.Select(p => "//   " + p)); // RecordProblem escapes control characters and shortens values
        }
        return string.Join("\n", lines) + "\n";
    }

    /// <summary>A file only its owner can read (a record is not public), named after the record for the editor's title bar.</summary>
    private string NewFile(ShownRecord shown)
    {
        Directory.CreateDirectory(editor.TempDirectory);
        var path = Path.Combine(editor.TempDirectory, $"dla-edit-{shown.Kind}-{shown.Id}-{Guid.NewGuid().ToString("N")[..8]}.json");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (new FileStream(path, options)) { }
        return path;
    }

    /// <summary>Runs the editor on <paramref name="path"/> and waits; false (with the reason printed) when it could not run or failed.</summary>
    private async Task<bool> RunEditorAsync(string path)
    {
        var (command, source) = editor.Choice;
        // The shell splits the command's own arguments (code --wait); the path goes in as "$1", never re-split.
        var start = OperatingSystem.IsWindows()
            ? new ProcessStartInfo("cmd.exe") { ArgumentList = { "/c", $"{command} \"{path}\"" } }
            : new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", command + " \"$1\"", "dla-edit", path } };
        start.UseShellExecute = false;
        int exitCode;
        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException("no process");
            await process.WaitForExitAsync(CancellationToken.None);
            exitCode = process.ExitCode;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            await stderr.WriteLineAsync($"Could not start the editor \"{command}\" ({source}): {e.Message}. Set VISUAL or EDITOR to your editor's command (export EDITOR=nano; EDITOR=\"code --wait\"). Nothing was written.");
            return false;
        }
        if (exitCode == 0) return true;
        await stderr.WriteLineAsync(exitCode is 126 or 127
            ? $"Could not start the editor \"{command}\" ({source}): the shell found no such command. Set VISUAL or EDITOR to your editor's command (export EDITOR=nano; EDITOR=\"code --wait\"). Nothing was written."
            : $"The editor \"{command}\" ({source}) exited with code {exitCode}; nothing was written.");
        return false;
    }
}

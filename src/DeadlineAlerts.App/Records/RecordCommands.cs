using DeadlineAlerts.App.Api;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace DeadlineAlerts.App.Records;

/// <summary>The two kinds of record a command works on one at a time.</summary>
public enum RecordKind { Deadline, Subscriber }

/// <summary>
/// The bodies of <c>dla deadline show|add|edit|delete ID</c> and <c>dla subscriber show|add|edit|delete ID</c>, so a
/// command file is one line. Each returns the exit code: <see cref="Ok"/>; <see cref="BadInput"/> when the input is
/// invalid or the change is refused (no such record, the id exists, the record changed since it was read; nothing is
/// written and stderr says why, naming record, field and fix); <see cref="Failure"/> when the editor failed. Storage
/// failures (<see cref="Azure.RequestFailedException"/>, unreachable storage) are left to the CLI's one handler, which
/// answers them with exit code 3 for every command alike. Record text goes out escaped for a terminal.
/// </summary>
public static class RecordCommands
{
    public const int Ok = 0;
    public const int BadInput = 1;
    public const int Failure = 3;

    /// <summary>The record as import-format JSON on stdout (redirect it to a file to keep it); its ETag on stderr.</summary>
    public static Task<int> ShowAsync(IServiceProvider services, RecordKind kind, string id, TextWriter stdout, TextWriter stderr, CancellationToken ct = default) =>
        kind == RecordKind.Deadline
            ? ShowAsync(services, services.GetRequiredService<DeadlineRecords>(), id, stdout, stderr, ct)
            : ShowAsync(services, services.GetRequiredService<SubscriberRecords>(), id, stdout, stderr, ct);

    /// <summary>
    /// Adds record <paramref name="id"/> from <paramref name="file"/> (one record in the import format, as <c>show</c>
    /// prints it; the id may be left out), or from <paramref name="stdin"/> when the file is null or <c>-</c>.
    /// </summary>
    public static Task<int> AddAsync(IServiceProvider services, RecordKind kind, string id, string? file, TextReader stdin,
        TextWriter stdout, TextWriter stderr, string actor, CancellationToken ct = default) =>
        kind == RecordKind.Deadline
            ? AddAsync(services, services.GetRequiredService<DeadlineRecords>(), id, file, stdin, stdout, stderr, actor, ct)
            : AddAsync(services, services.GetRequiredService<SubscriberRecords>(), id, file, stdin, stdout, stderr, actor, ct);

    /// <summary>Opens the record in the editor and stores the edit with the ETag read at the start (<see cref="EditorSession{T}"/>).</summary>
    public static Task<int> EditAsync(IServiceProvider services, RecordKind kind, string id, EditorSettings editor,
        TextWriter stdout, TextWriter stderr, string actor, CancellationToken ct = default) =>
        kind == RecordKind.Deadline
            ? EditAsync(services, services.GetRequiredService<DeadlineRecords>(), id, editor, stdout, stderr, actor, ct)
            : EditAsync(services, services.GetRequiredService<SubscriberRecords>(), id, editor, stdout, stderr, actor, ct);

    /// <summary>
    /// Deletes the record; with <paramref name="ifMatch"/> (the ETag <c>show</c> printed) only if it is still that
    /// version, without it the version read now. The audit log keeps its last state.
    /// </summary>
    public static Task<int> DeleteAsync(IServiceProvider services, RecordKind kind, string id, string? ifMatch,
        TextWriter stdout, TextWriter stderr, string actor, CancellationToken ct = default) =>
        kind == RecordKind.Deadline
            ? DeleteAsync(services, services.GetRequiredService<DeadlineRecords>(), id, ifMatch, stdout, stderr, actor, ct)
            : DeleteAsync(services, services.GetRequiredService<SubscriberRecords>(), id, ifMatch, stdout, stderr, actor, ct);

    private static Task<int> ShowAsync<T>(IServiceProvider services, SingleRecords<T> records, string id, TextWriter stdout, TextWriter stderr, CancellationToken ct)
        where T : class => AnsweringAsync(services, records, stderr, async () =>
        {
            var shown = await records.ShowAsync(id, ct);
            await stdout.WriteLineAsync(shown.Text);
            await stderr.WriteLineAsync($"ETag: {shown.HttpETag}");
            return Ok;
        }, ct);

    private static Task<int> AddAsync<T>(IServiceProvider services, SingleRecords<T> records, string id, string? file, TextReader stdin,
        TextWriter stdout, TextWriter stderr, string actor, CancellationToken ct) where T : class => AnsweringAsync(services, records, stderr, async () =>
        {
            var text = file is null or "-" ? await stdin.ReadToEndAsync(ct) : await ReadFileAsync(file, ct);
            var saved = await records.AddAsync(text, id, actor, ct);
            foreach (var w in saved.Warnings) await stderr.WriteLineAsync("warning: " + TextRules.Terminal(w));
            await stdout.WriteLineAsync($"Added {records.Kind} {id}.");
            foreach (var (sub, channel, secret) in saved.GeneratedSecrets)
                await stdout.WriteLineAsync($"Generated webhook signing secret for subscriber {sub}, channel {channel} (shown once, give it to the receiver): {secret}");
            return Ok;
        }, ct);

    private static Task<int> EditAsync<T>(IServiceProvider services, SingleRecords<T> records, string id, EditorSettings editor,
        TextWriter stdout, TextWriter stderr, string actor, CancellationToken ct) where T : class => AnsweringAsync(services, records, stderr, async () =>
            await new EditorSession<T>(records, editor, stdout, stderr).EditAsync(id, actor, ct) switch
            {
                EditOutcome.Saved or EditOutcome.Cancelled => Ok,
                EditOutcome.Refused => BadInput,
                _ => Failure,
            }, ct);

    private static Task<int> DeleteAsync<T>(IServiceProvider services, SingleRecords<T> records, string id, string? ifMatch,
        TextWriter stdout, TextWriter stderr, string actor, CancellationToken ct) where T : class => AnsweringAsync(services, records, stderr, async () =>
        {
            var stored = await records.ReadAsync(id, ct);
            await records.DeleteAsync(stored, ApiETag.Parse(ifMatch) ?? stored.ETag, actor, ct);
            await stdout.WriteLineAsync($"Deleted {records.Kind} {id}; the audit log keeps its last state (dla audit).");
            return Ok;
        }, ct);

    /// <summary>A file of one record: at most an API body's size, strict UTF-8 (bad bytes refused with their offset).</summary>
    private static async Task<string> ReadFileAsync(string file, CancellationToken ct)
    {
        var name = $"file {Path.GetFileName(file)}";
        if (!File.Exists(file)) throw new RecordValidationException([new RecordProblem(name, "path", file, "does not exist; give the file holding one record, or - to read it from stdin")]);
        var size = new FileInfo(file).Length;
        if (size > TextRules.Limits.BodyBytes)
            throw new RecordValidationException([new RecordProblem(name, "size", null,
                $"is {size:N0} bytes; one record may be at most {TextRules.Limits.BodyBytes:N0} bytes; shorten its longest fields (README \"Limits\")")]);
        return TextRules.DecodeUtf8(await File.ReadAllBytesAsync(file, ct), name);
    }

    /// <summary>Creates the tables if this is a new account, runs the command and answers its refusals on stderr with exit code 1.</summary>
    private static async Task<int> AnsweringAsync<T>(IServiceProvider services, SingleRecords<T> records, TextWriter stderr, Func<Task<int>> command, CancellationToken ct)
        where T : class
    {
        try
        {
            await services.GetRequiredService<StorageClients>().EnsureCreatedAsync(ct);
            return await command();
        }
        catch (RecordValidationException e)
        {
            await stderr.WriteLineAsync($"Nothing was written: {e.Problems.Count} problem(s) found.");
            foreach (var p in e.Problems) await stderr.WriteLineAsync("  " + p); // RecordProblem escapes and shortens values
            return BadInput;
        }
        catch (RecordExistsException e)
        {
            await stderr.WriteLineAsync($"{e.Message} To change it: dla {records.Kind} edit {e.Id}");
            return BadInput;
        }
        catch (RecordChangedException<T> e)
        {
            await stderr.WriteLineAsync($"{e.Message} As stored now (ETag {e.Shown.HttpETag}):");
            await stderr.WriteLineAsync(e.Shown.Text);
            return BadInput;
        }
        catch (Exception e) when (e is RecordNotFoundException or StorageRefusedException)
        {
            await stderr.WriteLineAsync(TextRules.Terminal(e.Message));
            return BadInput;
        }
    }
}

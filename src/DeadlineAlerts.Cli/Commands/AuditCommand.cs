using System.CommandLine;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Storage.Audit;
using Microsoft.Extensions.DependencyInjection;
using static DeadlineAlerts.Cli.CliText;

namespace DeadlineAlerts.Cli.Commands;

/// <summary><c>dla audit</c>: who changed which record, when, and what changed (newest first).</summary>
internal static class AuditCommand
{
    public static Command Create(DlaSession dla)
    {
        var deadline = new Option<string?>("--deadline") { Description = "Only this deadline's changes.", HelpName = "ID" };
        var subscriber = new Option<string?>("--subscriber") { Description = "Only this subscriber's changes.", HelpName = "ID" };
        var since = InstantOptions.Create("--since", "Only changes at or after this instant.");
        var json = new Option<bool>("--json") { Description = "Each entry with the record before and after (channel URLs redacted)." };
        var command = new Command("audit", "Who changed which record, when, and what changed (newest first).") { deadline, subscriber, since, json };
        command.Validators.Add(r =>
        {
            if (r.GetValue(deadline) is not null && r.GetValue(subscriber) is not null) r.AddError("dla audit takes --deadline or --subscriber, not both.");
        });
        command.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            var (kind, id) = parse.GetValue(deadline) is { } d ? (AuditEntries.DeadlineKind, d)
                : parse.GetValue(subscriber) is { } s ? (AuditEntries.SubscriberKind, s) : ((string?)null, (string?)null);
            await DlaSession.EnsureStorageAsync(sp, ct);
            var entries = await sp.GetRequiredService<AuditLog>().QueryAsync(kind, id, parse.GetValue(since), ct: ct);
            if (parse.GetValue(json))
            {
                await dla.Out.WriteLineAsync(JsonArray(entries.Select(AuditModule.ToJson)));
                return ExitCodes.Ok;
            }
            if (entries.Count == 0) { await dla.Out.WriteLineAsync("The audit log has no changes that match."); return ExitCodes.Ok; }
            // A log, newest first, one entry a line: the summary is as long as the change, so it is not put in a column.
            foreach (var e in entries)
                await dla.Out.WriteLineAsync($"{TimeText.Iso(e.At)}  {T(e.Actor),-12} {T(e.Action),-10} {T(e.RecordKind)} {T(e.RecordId)}: {T(e.Summary)}");
            return ExitCodes.Ok;
        }));
        return command;
    }
}

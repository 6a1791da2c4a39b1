using System.CommandLine;
using Azure;
using DeadlineAlerts.App.Records;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Records;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using static DeadlineAlerts.Cli.CliText;

namespace DeadlineAlerts.Cli.Commands;

/// <summary>
/// <c>dla subscriber show|add|delete</c>: one subscriber at a time, written through <see cref="RecordWriter"/>
/// (alerts planned, audited as <c>cli</c>) as the API's <c>/api/subscribers</c> writes it. Channel URLs are shown
/// redacted, as everywhere.
/// </summary>
internal static class SubscriberCommand
{
    private const string Kind = "subscriber";

    public static Command Create(DlaSession dla)
    {
        var command = new Command(Kind, "One subscriber: show it, add one from a file, delete one.");
        command.Subcommands.Add(Show(dla));
        command.Subcommands.Add(Add(dla));
        command.Subcommands.Add(Delete(dla));
        return command;
    }

    private static Command Show(DlaSession dla)
    {
        var id = RecordFile.Id(Kind);
        var json = RecordFile.Json();
        var show = new Command("show", "The subscriber: a readable summary, or with --json the import-format record (URLs redacted).") { id, json };
        show.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            var subscriberId = parse.GetRequiredValue(id);
            await DlaSession.EnsureStorageAsync(sp, ct);
            var s = (await sp.GetRequiredService<RecordStore>().GetSubscriberAsync(subscriberId, ct) ?? throw NotStored(subscriberId)).Value;
            if (parse.GetValue(json))
            {
                await dla.Out.WriteLineAsync(RecordJson.Subscriber(s, includeSecrets: false).ToJsonString(Json));
                return ExitCodes.Ok;
            }
            var fields = new List<(string, string)> { ("id", T(s.Id)), ("name", T(s.Name)), ("zone", s.TimeZone?.Id ?? "(each deadline's zone)") };
            if (s.Categories.Count > 0) fields.Add(("categories", T(string.Join(", ", s.Categories))));
            if (s.DeadlineIds.Count > 0) fields.Add(("deadlines", T(string.Join(", ", s.DeadlineIds.Select(d => d.Value)))));
            if (s.LeadTimes.Count > 0) fields.Add(("lead times", string.Join(" ", s.LeadTimes.Select(l => l.Text))));
            if (s.QuietHours is { } q) fields.Add(("quiet hours", $"{q}{(q.UrgentPassesThrough ? "" : " (urgent held too)")}"));
            if (s.Digest is { } digest) fields.Add(("digest", digest.ToString()));
            fields.AddRange(s.Channels.Select(c => ("channel", $"{T(c.Id)} {T(c.Redacted)}{(c.BrokenReason is { } b ? $"  BROKEN: {T(b)}" : "")}")));
            Tables.Write(dla.Out, Tables.Fields(fields), DlaSession.Columns(sp));
            return ExitCodes.Ok;
        }));
        return show;
    }

    private static Command Add(DlaSession dla)
    {
        var file = RecordFile.File();
        var add = new Command("add", "Adds one subscriber from an import-format JSON object (refused if its id is stored; to change one, dla import).") { file };
        add.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            var now = sp.GetRequiredService<IClock>().GetCurrentInstant();
            var set = await RecordFile.ReadAsync(parse.GetRequiredValue(file), "subscribers", sp.GetRequiredService<RecordReader>(), now, ct);
            var s = set.Subscribers.Single();
            await DlaSession.EnsureStorageAsync(sp, ct);
            var records = sp.GetRequiredService<RecordStore>();
            if (await records.GetSubscriberAsync(s.Id, ct) is not null) throw Exists(s.Id.Value);
            RecordWrite<ETag> write;
            try
            {
                write = await sp.GetRequiredService<RecordWriter>().WriteAsync([], [new SubscriberChange(null, s, AuditAction.Created)], Dla.Actor,
                    c => records.InsertSubscriberAsync(s, c), ct: ct);
            }
            catch (RequestFailedException e) when (e.Status == 409) { throw Exists(s.Id.Value); }
            foreach (var w in set.Warnings) await dla.Err.WriteLineAsync("warning: " + T(w));
            await dla.Out.WriteLineAsync($"Added subscriber {T(s.Id)} with {s.Channels.Count} channel(s); {write.AlertsScheduled} alert(s) scheduled.");
            foreach (var (sub, channel, secret) in set.GeneratedSecrets)
                await dla.Out.WriteLineAsync($"Generated webhook signing secret for subscriber {sub}, channel {channel} (shown once, give it to the receiver): {secret}");
            return ExitCodes.Ok;
        }));
        return add;
    }

    private static Command Delete(DlaSession dla)
    {
        var id = RecordFile.Id(Kind);
        var yes = RecordFile.Yes();
        var delete = new Command("delete", "Deletes one subscriber; nothing more is sent to them. Confirm with --yes.") { id, yes };
        delete.Validators.Add(r =>
        {
            if (!r.GetValue(yes)) r.AddError("dla subscriber delete removes the subscriber and stops their alerts; confirm with --yes.");
        });
        delete.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            var subscriberId = parse.GetRequiredValue(id);
            await DlaSession.EnsureStorageAsync(sp, ct);
            var records = sp.GetRequiredService<RecordStore>();
            var stored = await records.GetSubscriberAsync(subscriberId, ct) ?? throw NotStored(subscriberId);
            try
            {
                await sp.GetRequiredService<RecordWriter>().WriteAsync([], [new SubscriberChange(stored.Value, null, AuditAction.Deleted)], Dla.Actor,
                    c => records.DeleteSubscriberAsync(subscriberId, stored.ETag, c), ct);
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                throw new BadInputException($"subscriber {T(subscriberId)} changed while it was being deleted; nothing was deleted. Run dla subscriber show {T(subscriberId)} and try again.");
            }
            await dla.Out.WriteLineAsync($"Deleted subscriber {T(subscriberId)}.");
            return ExitCodes.Ok;
        }));
        return delete;
    }

    private static BadInputException NotStored(string id) => new($"subscriber {T(id)} is not stored; dla subscribers lists the ids.");

    private static BadInputException Exists(string id) =>
        new($"subscriber {T(id)} exists; nothing was written. To change it, import it (dla import) or delete it first.");
}

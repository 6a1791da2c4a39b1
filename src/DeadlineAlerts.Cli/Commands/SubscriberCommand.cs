using System.CommandLine;
using Azure;
using DeadlineAlerts.App.Acknowledge;
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
/// <c>dla subscriber show|add|delete</c>: one subscriber at a time, written through <see cref="RecordWriter"/>
/// (alerts planned, audited as <c>cli</c>) as the API's <c>/api/subscribers</c> writes it. Channel URLs are shown
/// redacted, as everywhere.
/// </summary>
internal static class SubscriberCommand
{
    private const string Kind = "subscriber";

    public static Command Create(DlaSession dla)
    {
        var command = new Command(Kind, "One subscriber: show it, add one from a file, edit one in $EDITOR, delete one.");
        command.Subcommands.Add(Show(dla));
        command.Subcommands.Add(RecordFile.Add(dla, RecordKind.Subscriber, Kind));
        command.Subcommands.Add(RecordFile.Edit(dla, RecordKind.Subscriber, Kind));
        command.Subcommands.Add(RecordFile.Delete(dla, RecordKind.Subscriber, Kind));
        command.Subcommands.Add(Pause(dla));
        command.Subcommands.Add(Resume(dla));
        command.Subcommands.Add(Acknowledge(dla));
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
            if (parse.GetValue(json)) return await RecordFile.ShowJsonAsync(dla, sp, RecordKind.Subscriber, subscriberId, ct);
            var s = (await sp.GetRequiredService<RecordStore>().GetSubscriberAsync(subscriberId, ct) ?? throw NotStored(subscriberId)).Value;
            var fields = new List<(string, string)> { ("id", T(s.Id)), ("name", T(s.Name)), ("zone", s.TimeZone?.Id ?? "(each deadline's zone)") };
            if (s.Locale is { } locale) fields.Add(("locale", locale.Name));
            if (s.PausedUntil is { } until) fields.Add(("paused until", TimeText.Full(until, s.TimeZone ?? DateTimeZone.Utc)));
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

    private static Command Pause(DlaSession dla)
    {
        var id = RecordFile.Id(Kind);
        var until = new Option<string>("--until")
        {
            Description = "When the pause ends: an instant with its offset (2025-08-04T08:00:00+08:00 or ...Z). Alerts that fall in it are held to its end if their deadline is still ahead then, otherwise skipped.",
            HelpName = "INSTANT",
            Required = true,
        };
        var pause = new Command("pause", "Pauses a subscriber until an instant (as POST /api/subscribers/{id}/pause); audited as cli.") { id, until };
        pause.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            var subscriberId = parse.GetRequiredValue(id);
            var text = parse.GetRequiredValue(until);
            if (NodaTime.Text.OffsetDateTimePattern.ExtendedIso.Parse(text) is not { Success: true } parsed)
                throw new BadInputException($"--until \"{T(text)}\" is not an instant with an offset; write it as 2025-08-04T08:00:00+08:00 or 2025-08-04T00:00:00Z.");
            return await SetPauseAsync(dla, sp, subscriberId, parsed.Value.ToInstant(), ct);
        }));
        return pause;
    }

    private static Command Resume(DlaSession dla)
    {
        var id = RecordFile.Id(Kind);
        var resume = new Command("resume", "Lifts a subscriber's pause (as DELETE /api/subscribers/{id}/pause); audited as cli.") { id };
        resume.SetAction(dla.WithServices(async (parse, sp, ct) => await SetPauseAsync(dla, sp, parse.GetRequiredValue(id), null, ct)));
        return resume;
    }

    private static async Task<int> SetPauseAsync(DlaSession dla, IServiceProvider sp, string subscriberId, Instant? until, CancellationToken ct)
    {
        await DlaSession.EnsureStorageAsync(sp, ct);
        var stored = await sp.GetRequiredService<RecordStore>().GetSubscriberAsync(subscriberId, ct) ?? throw NotStored(subscriberId);
        try
        {
            var after = await sp.GetRequiredService<PauseService>().SetAsync(stored, until, Dla.Actor, stored.ETag, ct);
            await dla.Out.WriteLineAsync(after.Value.PausedUntil is { } u
                ? $"Paused subscriber {T(subscriberId)} until {TimeText.Full(u, after.Value.TimeZone ?? DateTimeZone.Utc)}."
                : $"Subscriber {T(subscriberId)} is not paused; alerts go out as planned.");
            return ExitCodes.Ok;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            throw new BadInputException($"subscriber {T(subscriberId)} changed while it was being paused; nothing was written. Run the command again.");
        }
    }

    private static Command Acknowledge(DlaSession dla)
    {
        var id = RecordFile.Id(Kind);
        var deadline = new Option<string>("--deadline") { Description = "The deadline whose remaining lead-time alerts stop.", HelpName = "ID", Required = true };
        var ack = new Command("acknowledge",
            "Got it, on the subscriber's behalf: stops the remaining lead-time alerts of the deadline on all their channels (change notices still come; an extension re-arms them).") { id, deadline };
        ack.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            await DlaSession.EnsureStorageAsync(sp, ct);
            var subscriberId = parse.GetRequiredValue(id);
            var deadlineId = parse.GetRequiredValue(deadline);
            var target = await sp.GetRequiredService<AcknowledgeService>().AcknowledgeAsync(new SubscriberId(subscriberId), new DeadlineId(deadlineId), null, Dla.Actor, ct);
            var due = target.Deadline is { } d ? TimeText.Full(target.DueAt, d.Due.Zone) : "";
            await dla.Out.WriteLineAsync(target.State switch
            {
                AcknowledgeState.Ready => $"Got it: no more lead-time alerts of deadline {T(deadlineId)} (due {due}) for subscriber {T(subscriberId)}; change notices still come.",
                AcknowledgeState.Already => $"Already acknowledged: deadline {T(deadlineId)} (due {due}) for subscriber {T(subscriberId)}.",
                _ => $"Nothing to acknowledge: subscriber {T(subscriberId)} does not follow an active deadline {T(deadlineId)}.",
            });
            return target.State is AcknowledgeState.Nothing ? ExitCodes.BadInput : ExitCodes.Ok;
        }));
        return ack;
    }

    private static BadInputException NotStored(string id) => new($"subscriber {T(id)} is not stored; dla subscribers lists the ids.");

}

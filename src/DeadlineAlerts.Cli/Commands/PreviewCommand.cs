using System.CommandLine;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.App.TimeZones;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using Microsoft.Extensions.DependencyInjection;
using static DeadlineAlerts.Cli.CliText;

namespace DeadlineAlerts.Cli.Commands;

/// <summary><c>dla preview --from --to</c>: the alerts that would fire in a window, without sending.</summary>
internal static class PreviewCommand
{
    public static Command Create(DlaSession dla)
    {
        var from = InstantOptions.Create("--from", "The window's start (exclusive), e.g. 2025-07-29T00:00:00Z.");
        var to = InstantOptions.Create("--to", "The window's end (inclusive).");
        from.Required = true;
        to.Required = true;
        var json = new Option<bool>("--json") { Description = "Each alert with its ids, instants, text and (redacted) channels." };
        var command = new Command("preview", "The alerts that would fire in (from, to], without sending.") { from, to, json };
        command.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            var start = parse.GetValue(from)!.Value;
            var end = parse.GetValue(to)!.Value;
            if (end <= start) throw new UsageException("--to must be after --from.");
            await DlaSession.EnsureStorageAsync(sp, ct);
            var replanner = sp.GetRequiredService<Replanner>();
            List<DueAlert> due;
            if (await replanner.PlannedAsync(ct) is { } planned && planned != replanner.InUse)
            {
                // Shown as the data in use plans them (read only): the next tick moves the schedule there.
                await dla.Err.WriteLineAsync($"Warning: the schedule was planned with tz data {planned} and tz data {replanner.InUse} is in use; " +
                    $"the times below are tz data {replanner.InUse}'s, which the next tick re-plans the schedule to (or run dla replan now).");
                due = [.. (await replanner.PreviewAsync(start, end, ct)).Select(p =>
                    new DueAlert(p.Alert, TickDecision.Send, new AlertMessage(p.Alert, p.Deadline, p.Subscriber, p.Alert.FireAt, late: false), p.Subscriber.Channels))];
            }
            else due = await sp.GetRequiredService<ScanService>().DueAsync(start, end, ct: ct);
            if (parse.GetValue(json))
            {
                await dla.Out.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(due.Select(d => new
                {
                    alertId = d.Alert.Id.Value,
                    deadlineId = d.Alert.DeadlineId,
                    subscriberId = d.Alert.SubscriberId,
                    leadTime = d.Alert.LeadTime.Text,
                    fireAt = TimeText.Iso(d.Alert.FireAt),
                    dueAt = TimeText.Iso(d.Alert.DueAt),
                    fireAtSubscriber = TimeText.Full(d.Alert.FireAt, d.View.SubscriberZone),
                    text = d.View.PlainText,
                    channels = d.Channels.Select(c => c.Redacted),
                }), Json));
                return ExitCodes.Ok;
            }
            if (due.Count == 0) { await dla.Out.WriteLineAsync("No alerts fire in that window."); return ExitCodes.Ok; }
            Tables.Write(dla.Out, Tables.Preview(due), DlaSession.Columns(sp));
            return ExitCodes.Ok;
        }));
        return command;
    }
}

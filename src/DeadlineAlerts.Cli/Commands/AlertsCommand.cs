using System.CommandLine;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.Storage.Ledger;
using Microsoft.Extensions.DependencyInjection;

namespace DeadlineAlerts.Cli.Commands;

/// <summary><c>dla alerts</c>: the alert ledger, each alert and channel with its status, attempts and last error.</summary>
internal static class AlertsCommand
{
    public static Command Create(DlaSession dla)
    {
        var deadline = new Option<string?>("--deadline") { Description = "Only this deadline's alerts.", HelpName = "ID" };
        var subscriber = new Option<string?>("--subscriber") { Description = "Only this subscriber's alerts.", HelpName = "ID" };
        var status = new Option<string?>("--status") { Description = "Only alerts with this status.", HelpName = "STATUS" };
        status.AcceptOnlyFromAmong([.. LedgerStatuses.All.Select(s => s.Wire())]);
        var json = new Option<bool>("--json") { Description = "Each ledger row as the API answers it." };
        var command = new Command("alerts", "The alert ledger: each alert and channel, status, attempts, last error.") { deadline, subscriber, status, json };
        command.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            var wanted = parse.GetValue(status) is { } s ? LedgerStatuses.Parse(s) : null;
            var deadlineId = parse.GetValue(deadline);
            var subscriberId = parse.GetValue(subscriber);
            await DlaSession.EnsureStorageAsync(sp, ct);
            var entries = (await sp.GetRequiredService<AlertLedger>().QueryAsync(null, ct))
                .Where(e => deadlineId is null || e.DeadlineId == deadlineId)
                .Where(e => subscriberId is null || e.SubscriberId == subscriberId)
                .Where(e => wanted is null || e.Status == wanted)
                .OrderBy(e => e.FireAt).ToList();
            if (parse.GetValue(json))
            {
                await dla.Out.WriteLineAsync(CliText.JsonArray(entries.Select(DeliveryModule.ToJson)));
                return ExitCodes.Ok;
            }
            if (entries.Count == 0) { await dla.Out.WriteLineAsync("The ledger has no alerts that match."); return ExitCodes.Ok; }
            Tables.Write(dla.Out, Tables.Alerts(entries), DlaSession.Columns(sp));
            return ExitCodes.Ok;
        }));
        return command;
    }
}

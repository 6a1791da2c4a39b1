using System.CommandLine;
using DeadlineAlerts.App.Milestones;
using DeadlineAlerts.Core.Rendering;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using static DeadlineAlerts.Cli.CliText;

namespace DeadlineAlerts.Cli.Commands;

/// <summary>What <c>extend</c>, <c>resolve</c> and <c>cancel</c> share: the deadline ID, --reason, and how a change is reported.</summary>
internal static class Milestones
{
    public static Argument<string> Id() => new("ID") { Description = "The deadline's id (dla deadlines lists them)." };

    public static Option<bool> Series() => new("--series")
    {
        Description = "For a recurring deadline: the whole series. Without it, only its next occurrence (later ones still come).",
    };

    public static Option<string?> Reason() => new("--reason") { Description = "Why, for the followers' notice and the history.", HelpName = "TEXT" };

    /// <summary>Runs a milestone change and prints what changed, the deadline's standing and what was queued.</summary>
    public static Func<ParseResult, CancellationToken, Task<int>> Action(DlaSession dla, Argument<string> id,
        Func<ParseResult, MilestoneService, string, CancellationToken, Task<MilestoneResult>> change, bool extend) =>
        dla.WithServices(async (parse, sp, ct) =>
        {
            var deadlineId = parse.GetRequiredValue(id);
            await DlaSession.EnsureStorageAsync(sp, ct);
            MilestoneResult result;
            try { result = await change(parse, sp.GetRequiredService<MilestoneService>(), deadlineId, ct); }
            catch (MilestoneException e) { throw new BadInputException(e.Message); }
            if (result.Warning is { } w) await dla.Err.WriteLineAsync("warning: " + w);
            var d = result.Deadline.Value;
            if (result.Change is not { } changed)
            {
                await dla.Out.WriteLineAsync($"Deadline {T(deadlineId)} is already {(extend ? "due " + TimeText.Full(d.Due.Instant, d.Due.Zone) : d.Status.ToString().ToLowerInvariant())}; nothing changed, nothing sent.");
                return ExitCodes.Ok;
            }
            await dla.Out.WriteLineAsync($"Deadline {T(deadlineId)}: {T(DeadlinesCommand.ChangeText(changed))}.");
            await dla.Out.WriteLineAsync($"Now: {Countdown.Standing(d, sp.GetRequiredService<IClock>().GetCurrentInstant())}, due {TimeText.Full(d.Due.Instant, d.Due.Zone)}.");
            await dla.Out.WriteLineAsync($"{result.NoticesQueued} notice(s) queued (dla run delivers them), {result.AlertsCancelled} unsent alert(s) cancelled, {result.AlertsScheduled} alert(s) scheduled.");
            return ExitCodes.Ok;
        });
}

using System.CommandLine;
using DeadlineAlerts.App.Links;
using DeadlineAlerts.Storage.Records;
using Microsoft.Extensions.DependencyInjection;

namespace DeadlineAlerts.Cli.Commands;

/// <summary><c>dla calendar ID</c>: the subscriber's signed feed URL, a secret of theirs, printed for the operator to pass on.</summary>
internal static class CalendarCommand
{
    public static Command Create(DlaSession dla)
    {
        var id = new Argument<string>("SUBSCRIBER_ID") { Description = "The subscriber's id (dla subscribers lists them)." };
        var command = new Command("calendar", "Prints the subscriber's calendar feed URL (signed; needs DeadlineAlerts__UnsubscribeKey and DeadlineAlerts__PublicBaseUrl).") { id };
        command.SetAction(dla.WithServices(async (parse, sp, ct) =>
        {
            var subscriber = parse.GetRequiredValue(id);
            await DlaSession.EnsureStorageAsync(sp, ct);
            if (await sp.GetRequiredService<RecordStore>().GetSubscriberAsync(subscriber, ct) is null)
                throw new BadInputException($"subscriber {subscriber} is not stored; dla subscribers lists the ids.");
            var links = sp.GetRequiredService<SubscriberLinks>();
            var url = links.CalendarUrl(subscriber) ?? throw new BadInputException($"No calendar link can be made: {links.Problem}.");
            await dla.Out.WriteLineAsync(url);
            return ExitCodes.Ok;
        }));
        return command;
    }
}

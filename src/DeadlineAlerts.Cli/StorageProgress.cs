using DeadlineAlerts.Storage;
using Spectre.Console;

namespace DeadlineAlerts.Cli;

/// <summary>
/// What a long import or export is doing, while it does it (100k records take minutes): on a terminal only, on
/// stderr (stdout may be the export itself), cleared when done. The storage work has no count of its own to go by
/// (how many alerts a record plans, how rows batch), so the bar is indeterminate and the line counts what is
/// countable: the storage requests made so far and the time taken. Redirected, nothing is drawn and the work just
/// runs; <c>NO_COLOR</c> draws it without colour.
/// </summary>
internal static class StorageProgress
{
    /// <param name="stderr">Where the command's errors go: drawn on only when that is the process's terminal.</param>
    public static async Task<T> RunAsync<T>(TextWriter stderr, string what, StorageClients storage, Func<Task<T>> work)
    {
        if (!ReferenceEquals(stderr, Console.Error) || Console.IsErrorRedirected) return await work();
        var colour = string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            Ansi = AnsiSupport.Detect,
            ColorSystem = colour ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.Detect,
        });
        var before = storage.Requests.Count;
        return await console.Progress().AutoClear(true)
            .Columns(new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(what)).IsIndeterminate();
                var running = work();
                while (await Task.WhenAny(running, Task.Delay(200)) != running)
                    task.Description = Markup.Escape($"{what}: {storage.Requests.Count - before:N0} storage requests");
                task.StopTask();
                return await running;
            });
    }
}

using System.CommandLine;
using System.CommandLine.Invocation;
using DeadlineAlerts.Cli.Commands;
using DeadlineAlerts.Core.Time;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DeadlineAlerts.Cli;

/// <summary>
/// <c>dla</c>: the operator's tool and the local host of the scan and delivery services. The command line is
/// System.CommandLine's: each command is one file under <c>Commands/</c> declaring its arguments and options once,
/// and help, parsing, completion (<c>dla [suggest]</c>) and typo suggestions all come from that declaration.
/// Exit codes: <see cref="ExitCodes"/>.
/// </summary>
public static class Dla
{
    /// <summary>The audit actor of changes made with <c>dla</c>.</summary>
    internal const string Actor = "cli";

    /// <summary>Runs <c>dla</c> with the settings of the process: <c>appsettings.json</c> in the current folder, then the environment.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct) =>
        RunAsync(args, configuration: null, stdout, stderr, ct);

    /// <param name="configuration">The settings (<c>DeadlineAlerts:Storage</c>, ...) in place of the process's
    /// (<c>appsettings.json</c>, environment); <c>--storage</c> and <c>--table-prefix</c> still win. Tests give theirs
    /// here, so they never touch process-wide environment variables and run in parallel.</param>
    /// <param name="ct">Stops the command; for <c>run</c> and <c>serve</c>, stops the host as Ctrl-C does.</param>
    public static async Task<int> RunAsync(string[] args, IConfiguration? configuration, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var session = new DlaSession(configuration, stdout, stderr);
        var root = Root(session);
        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            foreach (var line in ParseErrors.Lines(parse)) await stderr.WriteLineAsync(line);
            return ExitCodes.Usage;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false, // ExitCodes decides, below
                ProcessTerminationTimeout = null, // Ctrl-C: the host's console lifetime (run, serve, listen); others just end
            }, ct);
        }
        catch (Exception e) when (ExitCodes.Of(e) is { } code)
        {
            await ExitCodes.WriteAsync(e, parse.CommandResult.Command.Name, stderr);
            return code;
        }
    }

    /// <summary>Every command, its options and the global ones: the whole command line in one tree.</summary>
    internal static RootCommand Root(DlaSession session)
    {
        var root = new RootCommand("""
            dla: the DeadlineAlerts operator tool. Import deadlines and subscribers, see what will fire, run the scan and delivery locally, serve the operator API.

            Examples:
              dla import samples/trade-deadlines.json --now 2025-07-29T05:00:00Z
              dla deadlines
              dla preview --from 2025-07-29T00:00:00Z --to 2025-08-13T00:00:00Z
              dla run --once --now 2025-07-29T06:00:30Z
              dla serve --table-prefix demo
              dla extend us-china-tariff-truce --to 2025-11-10T00:01 --reason "executive order"
            """);
        // dla's own --version: it names the tz data in use too, and takes the global options (which storage, which data).
        foreach (var v in root.Options.OfType<VersionOption>().ToList()) root.Options.Remove(v);
        var version = new Option<bool>("--version") { Description = "The version of dla and of the tz data in use (DeadlineAlerts__TimeZoneData, else embedded)." };
        root.Options.Add(version);
        foreach (var option in session.Globals.All) root.Options.Add(option);
        Command[] commands =
        [
            ImportCommand.Create(session), ExportCommand.Create(session), DeadlinesCommand.Create(session),
            ExtendCommand.Create(session), ResolveCommand.Create(session), CancelCommand.Create(session),
            SubscribersCommand.Create(session), PreviewCommand.Create(session), RunCommand.Create(session),
            AlertsCommand.Create(session), ServeCommand.Create(session), AuditCommand.Create(session),
            ListenCommand.Create(session), TestCommand.Create(session), ResendCommand.Create(session),
            ClearCommand.Create(session), CalendarCommand.Create(session), ReplanCommand.Create(session),
            ResetCommand.Create(session), DeadlineCommand.Create(session), SubscriberCommand.Create(session),
        ];
        foreach (var command in commands) root.Subcommands.Add(command);
        var help = new Command("help", "This text.") { Hidden = true };
        help.SetAction(_ => WriteHelp(root, session.Out));
        root.Subcommands.Add(help);
        root.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(version)) return await VersionAsync(parse, session);
            WriteHelp(root, session.Out); // no command: what there is to do, and a usage error
            return ExitCodes.Usage;
        });
        return root;
    }

    /// <summary>The root's help, as <c>dla --help</c> writes it.</summary>
    private static int WriteHelp(RootCommand root, TextWriter output) =>
        root.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = output });

    private static async Task<int> VersionAsync(ParseResult parse, DlaSession session)
    {
        await using var host = await session.BuildAsync(session.CreateBuilder(parse));
        var tz = host.Services.GetRequiredService<TimeZoneData>();
        var version = typeof(Dla).Assembly.GetName().Version?.ToString(3) ?? "unknown";
        await session.Out.WriteLineAsync($"dla {version}\ntz data {tz.Version} ({tz.Source}; embedded {TimeZoneData.EmbeddedVersion})");
        return ExitCodes.Ok;
    }
}

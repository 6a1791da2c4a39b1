using System.CommandLine;
using NodaTime;

namespace DeadlineAlerts.Cli;

/// <summary>
/// The options every command takes, declared once on the root command (<see cref="Option.Recursive"/>), so
/// <c>dla deadlines --storage X</c> and <c>dla --storage X deadlines</c> mean the same.
/// </summary>
internal sealed class GlobalOptions
{
    public Option<string?> Storage { get; } = new("--storage")
    {
        Description = "Storage connection string (default: DeadlineAlerts__Storage, else UseDevelopmentStorage=true). Never printed.",
        HelpName = "CONNECTION",
        Recursive = true,
    };

    public Option<string?> TablePrefix { get; } = new("--table-prefix")
    {
        Description = "Letters and digits; all tables and queues of one prefix are one installation (default: DeadlineAlerts__TablePrefix, else none).",
        HelpName = "P",
        Recursive = true,
    };

    public Option<Instant?> Now { get; } = new("--now")
    {
        Description = "Run as if it were this instant, e.g. 2025-07-29T08:00:00Z (the clock then runs on from there).",
        HelpName = "INSTANT",
        Recursive = true,
        CustomParser = r => InstantOptions.Parse(r, "--now"),
    };

    public Option<bool> Verbose { get; } = new("--verbose")
    {
        Description = "Log what the services do.",
        Recursive = true,
    };

    public IEnumerable<Option> All => [Storage, TablePrefix, Now, Verbose];
}

/// <summary>Options whose value is an instant: parsed, and refused with the fix, by the parser (a usage error, exit 2).</summary>
internal static class InstantOptions
{
    public static Option<Instant?> Create(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "INSTANT",
        CustomParser = r => Parse(r, name),
    };

    public static Instant? Parse(System.CommandLine.Parsing.ArgumentResult result, string option)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (CliText.ParseInstant(text) is { } instant) return instant;
        result.AddError(CliText.Showable(text)
            ? $"{option} \"{text}\" is not an ISO instant; give one such as 2025-07-29T08:00:00Z"
            : $"{option} is not an ISO instant; give one such as 2025-07-29T08:00:00Z");
        return null;
    }
}

using System.CommandLine;

namespace DeadlineAlerts.Cli;

/// <summary>
/// A command line the parser refused, as the operator reads it: an unknown option by its own name with the nearest
/// one it may have meant ("Unknown option '--verison'. Did you mean '--version'?"), an unknown command likewise, and
/// the parser's other errors. A word that may be a secret (<see cref="CliText.Showable"/>) is never repeated.
/// </summary>
internal static class ParseErrors
{
    public static IEnumerable<string> Lines(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var root = parse.RootCommandResult.Command;
        var path = command == root ? "dla" : "dla " + command.Name;
        var unmatched = parse.UnmatchedTokens;
        foreach (var token in unmatched)
        {
            if (token.StartsWith('-'))
            {
                if (!CliText.Showable(token)) { yield return $"Unknown option (not shown: it holds a value that may be secret). See {path} --help."; continue; }
                var name = token.Split('=')[0];
                if (Nearest(name, OptionNames(command, root)) is { } meant)
                    yield return $"Unknown option '{name}'. Did you mean '{meant}'?";
                else if (root.Subcommands.FirstOrDefault(c => c != command && c.Options.Any(o => o.Name == name || o.Aliases.Contains(name))) is { } other)
                    yield return $"Unknown option '{name}' for {path}: it is an option of dla {other.Name}. See {path} --help.";
                else
                    yield return $"Unknown option '{name}'. See {path} --help.";
            }
            else if (command == root)
            {
                if (!CliText.Showable(token)) { yield return "Unknown command (not shown: it looks like a setting or a secret). Run dla --help."; continue; }
                var meant = Nearest(token, root.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
                yield return meant is null ? $"Unknown command '{token}'. Run dla --help." : $"Unknown command '{token}'. Did you mean '{meant}'?";
            }
            else
            {
                yield return CliText.Showable(token)
                    ? $"Unexpected argument '{token}'. See {path} --help."
                    : $"Unexpected argument (not shown: it looks like a setting or a secret). See {path} --help.";
            }
        }
        foreach (var error in parse.Errors)
        {
            if (unmatched.Any(t => error.Message.Contains($"'{t}'", StringComparison.Ordinal))) continue; // said above
            yield return Redact(error.Message, parse);
        }
    }

    /// <summary>The parser's message with every word of the command line that may be secret taken out.</summary>
    private static string Redact(string message, ParseResult parse)
    {
        foreach (var token in parse.Tokens.Select(t => t.Value).Where(v => v.Length > 0 && !CliText.Showable(v)).Distinct())
            message = message.Replace(token, "(not shown)", StringComparison.Ordinal);
        return message;
    }

    /// <summary>The options <paramref name="command"/> takes: its own, and the root's that apply to every command.</summary>
    private static IEnumerable<string> OptionNames(Command command, Command root) =>
        command.Options.Concat(root.Options.Where(o => o.Recursive || command == root))
            .Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal));

    /// <summary>The candidate a typo most likely meant: at most one edit per three characters (a swap counts as one).</summary>
    private static string? Nearest(string typed, IEnumerable<string> candidates) =>
        candidates.Select(c => (Name: c, Distance: Distance(typed, c)))
            .Where(c => c.Distance > 0 && c.Distance <= Math.Max(1, c.Name.TrimStart('-').Length / 3))
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => c.Name).FirstOrDefault();

    /// <summary>Edit distance with adjacent transpositions (optimal string alignment).</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}

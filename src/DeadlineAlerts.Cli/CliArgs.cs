namespace DeadlineAlerts.Cli;

/// <summary>Thrown for a malformed command line (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// A small POSIX-style parser: a command word, then <c>--name value</c>, <c>--name=value</c>, <c>--flag</c>
/// and positional arguments. Each command declares which options it takes, so a typo is a usage error.
/// </summary>
public sealed class CliArgs
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    public List<string> Positional { get; } = [];
    public string? Command { get; private set; }

    public static readonly string[] GlobalOptions = ["storage", "table-prefix", "now", "verbose", "help", "version"];
    public static readonly string[] Flags = ["once", "json", "help", "verbose", "yes", "no-run", "version"];

    /// <summary>Every option of every command that takes a value; any other name is a flag or unknown.</summary>
    public static readonly string[] ValueOptions =
        ["storage", "table-prefix", "now", "format", "out", "to", "zone", "reason", "from", "port", "bind",
         "deadline", "subscriber", "since", "status"];

    public static CliArgs Parse(string[] args)
    {
        var result = new CliArgs();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (a is "-h") a = "--help";
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                var name = a[2..];
                string? value = null;
                var eq = name.IndexOf('=');
                if (eq >= 0) { value = name[(eq + 1)..]; name = name[..eq]; }
                else if (!Flags.Contains(name))
                {
                    // Only a known option takes the next argument, and never another option: "--version --storage X"
                    // is the unknown option --version, reported by its own name, not --version="--storage" followed
                    // by a command "X" whose error would echo a connection string.
                    if (ValueOptions.Contains(name))
                    {
                        if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                            throw new UsageException($"--{name} needs a value.");
                        value = args[++i];
                    }
                }
                result._options[name] = value;
            }
            else if (result.Command is null) result.Command = a;
            else result.Positional.Add(a);
        }
        return result;
    }

    public bool Has(string name) => _options.ContainsKey(name);
    public string? Get(string name) => _options.TryGetValue(name, out var v) ? v : null;
    public IEnumerable<string> Names => _options.Keys;

    /// <summary>The first option that is neither global nor one of <paramref name="commandOptions"/>, if any.</summary>
    public string? Unknown(params string[] commandOptions) =>
        Names.FirstOrDefault(name => !GlobalOptions.Contains(name) && !commandOptions.Contains(name));

    public void Allow(params string[] commandOptions)
    {
        foreach (var name in Names)
            if (!GlobalOptions.Contains(name) && !commandOptions.Contains(name))
                throw new UsageException($"{Command} does not take --{name}. See dla {Command} --help.");
    }
}

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
                    if (i + 1 >= args.Length) throw new UsageException($"--{name} needs a value.");
                    value = args[++i];
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

    public void Allow(params string[] commandOptions)
    {
        foreach (var name in Names)
            if (!GlobalOptions.Contains(name) && !commandOptions.Contains(name))
                throw new UsageException($"{Command} does not take --{name}. See dla {Command} --help.");
    }
}

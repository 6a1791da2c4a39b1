using DeadlineAlerts.Testing;

namespace DeadlineAlerts.Cli.Tests;

/// <summary>
/// dla run in-process as an operator runs it, against Azurite: each test class instance gets its own
/// installation (table prefix) and scratch folder, and both are removed afterwards.
/// </summary>
public abstract class DlaTestBase : IDisposable
{
    protected readonly string _prefix = "c" + Guid.NewGuid().ToString("N")[..12];
    protected readonly string _dir = Directory.CreateTempSubdirectory("dla-").FullName;

    protected async Task<(int Code, string Out, string Err)> Dla(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await Cli.RunAsync([.. args, "--storage", TestInstallation.Storage, "--table-prefix", _prefix], stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    protected string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    protected string WriteFile(string json) => Write(Guid.NewGuid().ToString("N") + ".json", json);

    public void Dispose()
    {
        Dla("reset", "--yes").GetAwaiter().GetResult();
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }
}

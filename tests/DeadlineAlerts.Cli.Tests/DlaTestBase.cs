using DeadlineAlerts.Testing;
using Microsoft.Extensions.Configuration;

namespace DeadlineAlerts.Cli.Tests;

/// <summary>
/// dla run in-process as an operator runs it, against Azurite: each test class instance gets its own
/// installation (table prefix), its own settings and scratch folder, and the installation and folder are removed
/// afterwards. Settings are given to dla as its configuration, never through process-wide environment variables,
/// so the tests run in parallel.
/// </summary>
public abstract class DlaTestBase : IDisposable
{
    protected readonly string _prefix = "c" + Guid.NewGuid().ToString("N")[..12];
    protected readonly string _dir = Directory.CreateTempSubdirectory("dla-").FullName;

    /// <summary>This test's settings, named as an operator sets them (<c>DeadlineAlerts__Delivery__AllowHosts</c>); null is unset.</summary>
    protected Dictionary<string, string?> Settings { get; } = [];

    /// <summary><see cref="Settings"/> as dla's configuration: nothing of the process's environment or appsettings.json.</summary>
    protected IConfiguration Configuration =>
        new ConfigurationBuilder().AddInMemoryCollection(Settings.ToDictionary(s => s.Key.Replace("__", ":", StringComparison.Ordinal), s => s.Value)).Build();

    /// <summary>dla with this installation's storage and prefix and <see cref="Settings"/>.</summary>
    protected Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct) =>
        Cli.Dla.RunAsync([.. args, "--storage", TestInstallation.Storage, "--table-prefix", _prefix], Configuration, stdout, stderr, ct);

    protected async Task<(int Code, string Out, string Err)> Dla(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await RunAsync(args, stdout, stderr, CancellationToken.None);
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

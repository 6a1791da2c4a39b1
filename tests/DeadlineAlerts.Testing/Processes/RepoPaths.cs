namespace DeadlineAlerts.Testing.Processes;

/// <summary>Where the built CLI, the repository and its Azurite are, found from the test assembly's folder.</summary>
public static class RepoPaths
{
    /// <summary>The folder holding DeadlineAlerts.sln, above the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DeadlineAlerts.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No DeadlineAlerts.sln above {AppContext.BaseDirectory}: cannot find the repository root.");
    }

    /// <summary>
    /// The built <c>dla.dll</c> (with its runtimeconfig, so <c>dotnet dla.dll</c> runs): env <c>DLA_DLL</c>; else next to
    /// the test assembly (a test project that references the CLI gets it copied); else
    /// <c>src/DeadlineAlerts.Cli/bin/&lt;config&gt;/net10.0/</c>, the test assembly's configuration first, then the newest.
    /// </summary>
    public static string DlaDll { get; } = FindDla();

    private static bool Runnable(string dll) =>
        File.Exists(dll) && File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json"));

    private static string FindDla()
    {
        if (Environment.GetEnvironmentVariable("DLA_DLL") is { Length: > 0 } given)
            return Runnable(given) ? Path.GetFullPath(given) : throw new InvalidOperationException($"DLA_DLL={given} is not a runnable dla.dll (with dla.runtimeconfig.json beside it).");
        var beside = Path.Combine(AppContext.BaseDirectory, "dla.dll");
        if (Runnable(beside)) return beside;
        var bin = Path.Combine(Root, "src", "DeadlineAlerts.Cli", "bin");
        var config = new DirectoryInfo(AppContext.BaseDirectory).Parent?.Parent?.Name; // …/bin/<config>/net10.0/
        var candidates = Directory.Exists(bin)
            ? Directory.GetFiles(bin, "dla.dll", SearchOption.AllDirectories).Where(Runnable)
                .OrderByDescending(p => config is not null && p.Contains(Path.DirectorySeparatorChar + config + Path.DirectorySeparatorChar))
                .ThenByDescending(File.GetLastWriteTimeUtc).ToList()
            : [];
        return candidates.FirstOrDefault()
               ?? throw new InvalidOperationException($"No built dla.dll beside {AppContext.BaseDirectory} nor under {bin}: build src/DeadlineAlerts.Cli first.");
    }

    /// <summary>The dotnet host that runs the tests (the SDK sets DOTNET_HOST_PATH), else <c>dotnet</c> on PATH.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h
        : Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p
        : "dotnet";

    /// <summary>The pinned Azurite (package-lock.json), installed by <c>npm ci</c> at the repository root.</summary>
    public static string Azurite
    {
        get
        {
            var path = Path.Combine(Root, "node_modules", ".bin", OperatingSystem.IsWindows() ? "azurite.cmd" : "azurite");
            return File.Exists(path) ? path
                : throw new InvalidOperationException($"{path} is missing: run `npm ci` at {Root} (test.sh does it when Azurite is absent).");
        }
    }
}

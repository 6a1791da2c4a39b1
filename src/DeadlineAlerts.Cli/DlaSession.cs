using System.CommandLine;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.Cli.Hosting;
using DeadlineAlerts.Core.Time;
using DeadlineAlerts.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace DeadlineAlerts.Cli;

/// <summary>
/// One run of <c>dla</c>: where its output goes, the configuration it was given, the global options, and how a
/// command gets its services. Every command builds them on the Generic Host (<see cref="Host.CreateApplicationBuilder()"/>)
/// the same way; <c>run</c> and <c>serve</c> also start it, so the hosted services of
/// <see cref="ServiceCollectionExtensions.AddDeadlineAlerts"/> run under <c>dla</c> as under Functions, and the host's
/// console lifetime is the one place Ctrl-C and SIGTERM are handled.
/// </summary>
internal sealed class DlaSession(IConfiguration? configuration, TextWriter stdout, TextWriter stderr)
{
    public TextWriter Out { get; } = stdout;
    public TextWriter Err { get; } = stderr;
    public GlobalOptions Globals { get; } = new();

    /// <summary>
    /// The host builder of a command: the configuration (<see cref="Dla.RunAsync(string[], IConfiguration?, TextWriter, TextWriter, CancellationToken)"/>'s,
    /// else <c>appsettings.json</c> in the current folder and the environment) with <c>--storage</c> and
    /// <c>--table-prefix</c> over it, console logging (warnings; <c>--verbose</c> for what the services do), the
    /// <c>--now</c> clock and the DeadlineAlerts services. <paramref name="telemetry"/>: export OpenTelemetry when an
    /// exporter is configured (docs/telemetry.md); only the long-running commands do.
    /// </summary>
    public HostApplicationBuilder CreateBuilder(ParseResult parse, bool telemetry = false)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true, // no command-line or DOTNET_ configuration of its own: System.CommandLine owns args
            Args = [],
            ApplicationName = "dla",
            ContentRootPath = Directory.GetCurrentDirectory(),
        });
        if (configuration is not null) builder.Configuration.AddConfiguration(configuration);
        else builder.Configuration.AddJsonFile("appsettings.json", optional: true, reloadOnChange: false).AddEnvironmentVariables();
        var overrides = new Dictionary<string, string?>();
        if (parse.GetValue(Globals.Storage) is { } storage) overrides["DeadlineAlerts:Storage"] = storage;
        if (parse.GetValue(Globals.TablePrefix) is { } prefix) overrides["DeadlineAlerts:TablePrefix"] = prefix;
        builder.Configuration.AddInMemoryCollection(overrides);

        var verbose = parse.GetValue(Globals.Verbose);
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning)
            .AddFilter("System.Net.Http", LogLevel.Warning)
            .AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning)
            .AddFilter("DeadlineAlerts", verbose ? LogLevel.Information : LogLevel.Error); // run prints its own summary
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        if (parse.GetValue(Globals.Now) is { } now) builder.Services.UseScheduleClockFrom(now);
        try { builder.Services.AddDeadlineAlerts(builder.Configuration); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        if (telemetry && TelemetrySetup.AnyExporter(builder.Configuration))
            builder.Services.AddDeadlineAlertsTelemetry(builder.Configuration, serviceName: "dla");
        return builder;
    }

    /// <summary>
    /// Builds the host and checks it before anything runs: every setting (what <c>ValidateOnStart</c> does when a
    /// host starts, done here so that also the commands that never start one stop on a bad setting, with one line per
    /// problem), the storage clients, and the tz data (its warning, if any, on stderr).
    /// </summary>
    public async Task<DlaHost> BuildAsync(HostApplicationBuilder builder)
    {
        var host = new DlaHost(builder.Build());
        try
        {
            OptionsCheck.Validate(host.Services);
            try { host.Services.GetRequiredService<StorageClients>(); }
            catch (ArgumentException e) { throw new UsageException(e.Message); } // a --storage that is no connection string
            catch (InvalidOperationException e) { throw new BadInputException(e.Message); } // storage not configured: the message names the settings
            if (host.Services.GetRequiredService<TimeZoneData>().Warning is { } tzWarning)
                await Err.WriteLineAsync("Warning: " + tzWarning);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>The action of a command that needs the services but not a running host (all but run, serve and listen).</summary>
    public Func<ParseResult, CancellationToken, Task<int>> WithServices(Func<ParseResult, IServiceProvider, CancellationToken, Task<int>> body) =>
        async (parse, ct) =>
        {
            await using var host = await BuildAsync(CreateBuilder(parse));
            return await body(parse, host.Services, ct);
        };

    /// <summary>
    /// The width tables fit: the <c>COLUMNS</c> setting (or environment variable) when set, else the terminal's;
    /// null when neither (output redirected: rows are not wrapped).
    /// </summary>
    public static int? Columns(IServiceProvider sp) =>
        int.TryParse(sp.GetRequiredService<IConfiguration>()["COLUMNS"], out var columns) && columns > 0 ? columns : null;

    public static async Task EnsureStorageAsync(IServiceProvider sp, CancellationToken ct) =>
        await sp.GetRequiredService<StorageClients>().EnsureCreatedAsync(ct);
}

/// <summary>A built host, disposed asynchronously (some services are <see cref="IAsyncDisposable"/> only).</summary>
internal sealed class DlaHost(IHost host) : IAsyncDisposable
{
    public IHost Host { get; } = host;
    public IServiceProvider Services => Host.Services;

    public async ValueTask DisposeAsync()
    {
        if (Host is IAsyncDisposable a) await a.DisposeAsync();
        else Host.Dispose();
    }
}

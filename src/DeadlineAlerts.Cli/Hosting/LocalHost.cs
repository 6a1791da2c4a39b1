using DeadlineAlerts.App.Links;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DeadlineAlerts.Cli.Hosting;

/// <summary>What <c>dla run</c> and <c>dla serve</c> add to the host: the tick, and the loop that runs it.</summary>
internal static class LocalHost
{
    /// <param name="loop">Also run <see cref="TickLoopService"/> while the host runs (not for <c>run --once</c> or <c>serve --no-run</c>).</param>
    public static HostApplicationBuilder AddLocalTick(this HostApplicationBuilder builder, DlaSession dla, bool loop)
    {
        builder.Services.AddSingleton(new CliOutput(dla.Out, dla.Err));
        builder.Services.AddSingleton<LocalTick>();
        if (loop) builder.Services.AddHostedService<TickLoopService>();
        return builder;
    }

    /// <summary>
    /// Without <c>UnsubscribeKey</c> and <c>PublicBaseUrl</c> messages go out with no unsubscribe link and the calendar
    /// feed is off. The hosts log that as a warning, which the CLI shows only with --verbose; a host that sends messages
    /// says it on one line at start whatever the verbosity, naming the settings and never a value.
    /// </summary>
    public static async Task WarnIfLinksOffAsync(IServiceProvider sp, TextWriter stdout)
    {
        if (sp.GetRequiredService<SubscriberLinks>().Warning is { } warning) await stdout.WriteLineAsync(warning);
    }

    /// <summary>Runs a started host until it is stopped: Ctrl-C or SIGTERM (the host's console lifetime), or <paramref name="ct"/>.</summary>
    public static async Task RunUntilStoppedAsync(IHost host, CancellationToken ct)
    {
        await host.StartAsync(ct);
        await host.WaitForShutdownAsync(ct);
    }
}

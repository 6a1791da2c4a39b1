using System.CommandLine;
using DeadlineAlerts.Cli.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace DeadlineAlerts.Cli.Commands;

/// <summary>
/// <c>dla run</c>: the scan and delivery on the Generic Host, as the Functions app runs them. <c>--once</c>: one tick
/// at <c>--now</c>, everything queued delivered (retry delays waited out), exit.
/// </summary>
internal static class RunCommand
{
    public static Command Create(DlaSession dla)
    {
        var once = new Option<bool>("--once") { Description = "One tick at --now, deliver everything queued, exit. Without it: tick on the scan period and deliver until Ctrl-C." };
        var command = new Command("run", "Runs the tick and delivery locally, as the Functions app does in Azure.") { once };
        command.SetAction(async (parse, ct) =>
        {
            var justOnce = parse.GetValue(once);
            await using var host = await dla.BuildAsync(dla.CreateBuilder(parse, telemetry: true).AddLocalTick(dla, loop: !justOnce));
            await LocalHost.WarnIfLinksOffAsync(host.Services, dla.Out);
            if (!justOnce)
            {
                await LocalHost.RunUntilStoppedAsync(host.Host, ct);
                return ExitCodes.Ok;
            }
            await DlaSession.EnsureStorageAsync(host.Services, ct);
            await host.Host.StartAsync(ct); // the hosted services (telemetry, link and Key Vault checks) run for the tick too
            await host.Services.GetRequiredService<LocalTick>().RunAsync(drainAll: true, ct);
            await host.Host.StopAsync(ct);
            return ExitCodes.Ok;
        });
        return command;
    }
}

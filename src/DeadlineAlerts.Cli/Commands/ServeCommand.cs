using System.CommandLine;
using System.Net;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.Cli.Hosting;
using DeadlineAlerts.Cli.Serve;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DeadlineAlerts.Cli.Commands;

/// <summary>
/// <c>dla serve</c>: the operator HTTP API under <c>/api/</c> (the routes the Functions app serves) and the operator
/// console, on loopback; and, unless <c>--no-run</c>, the tick and delivery loop <c>dla run</c> runs, in one host.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(DlaSession dla)
    {
        var port = new Option<int>("--port") { Description = "The port to listen on (0 picks a free one).", HelpName = "PORT", DefaultValueFactory = _ => 7071 };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 65535) r.AddError("--port must be a port number (0 picks a free one).");
        });
        var bind = new Option<IPAddress>("--bind")
        {
            Description = "The address to listen on; beyond loopback, operator keys travel in plain HTTP.",
            HelpName = "ADDRESS",
            DefaultValueFactory = _ => IPAddress.Loopback,
            CustomParser = r =>
            {
                var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
                if (IPAddress.TryParse(text, out var address)) return address;
                r.AddError(CliText.Showable(text)
                    ? $"--bind \"{text}\" is not an IP address; give one such as 127.0.0.1 (the default) or 0.0.0.0."
                    : "--bind is not an IP address; give one such as 127.0.0.1 (the default) or 0.0.0.0.");
                return null;
            },
        };
        var noRun = new Option<bool>("--no-run") { Description = "Serve only; do not tick or deliver." };
        var command = new Command("serve", "Serves the operator HTTP API and console on 127.0.0.1, and runs the tick and delivery loop as dla run does. Operator routes need DeadlineAlerts__OperatorKey.")
        {
            port, bind, noRun,
        };
        command.SetAction(async (parse, ct) =>
        {
            var address = parse.GetRequiredValue(bind);
            var portNumber = parse.GetValue(port);
            await using var host = await dla.BuildAsync(dla.CreateBuilder(parse, telemetry: true).AddLocalTick(dla, loop: !parse.GetValue(noRun)));
            var sp = host.Services;
            try { await DlaSession.EnsureStorageAsync(sp, ct); }
            catch (Exception e) when (ExitCodes.Of(e) == ExitCodes.Failure)
            {
                await dla.Out.WriteLineAsync($"warning: {ExitCodes.FailureText(e)}; serving anyway (health says unhealthy until storage answers)");
            }
            ApiHost api;
            try { api = await ApiHost.StartAsync(sp.GetRequiredService<ApiRouter>(), portNumber, address, ct); }
            catch (IOException e) { throw new BadInputException($"Cannot listen on {address}:{portNumber}: {e.Message}. Is another host running there?"); }
            await using (api)
            {
                var names = sp.GetRequiredService<IOptions<ApiOptions>>().Value.OperatorKeys().Select(k => k.Name).ToList();
                await dla.Out.WriteLineAsync($"Serving the API on {api.BaseUri}api/ (Ctrl-C to stop)");
                await dla.Out.WriteLineAsync($"Operator console: {api.ConsoleUri} (sign in with an operator key)");
                await dla.Out.WriteLineAsync(names.Count > 0
                    ? $"Operator key: configured ({names.Count} key(s), audit names {string.Join(", ", names)})"
                    : "Operator key: NOT configured; operator routes answer 401 until DeadlineAlerts__OperatorKey is set");
                if (!IPAddress.IsLoopback(address)) await dla.Out.WriteLineAsync($"warning: listening on {address}, beyond this machine, over plain HTTP");
                await LocalHost.WarnIfLinksOffAsync(sp, dla.Out);
                await dla.Out.FlushAsync(ct);
                await LocalHost.RunUntilStoppedAsync(host.Host, ct);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}

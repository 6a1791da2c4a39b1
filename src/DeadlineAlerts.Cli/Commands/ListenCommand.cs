using System.CommandLine;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using static DeadlineAlerts.Cli.CliText;

namespace DeadlineAlerts.Cli.Commands;

/// <summary><c>dla listen</c>: a local webhook receiver that prints each alert it gets (for the demo).</summary>
internal static class ListenCommand
{
    public static Command Create(DlaSession dla)
    {
        var port = new Option<int>("--port") { Description = "The port to listen on, on 127.0.0.1.", HelpName = "PORT", DefaultValueFactory = _ => 5099 };
        var command = new Command("listen", "A local webhook receiver that prints each alert it gets (for the demo).") { port };
        command.SetAction(async (parse, ct) =>
        {
            var portNumber = parse.GetValue(port);
            using var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{portNumber}/");
            try { listener.Start(); }
            catch (HttpListenerException e) { throw new BadInputException($"Cannot listen on 127.0.0.1:{portNumber}: {e.Message}. Is another listener running?"); }
            // A host of its own (no DeadlineAlerts services): its console lifetime stops it on Ctrl-C, as for run and serve.
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
            builder.Logging.ClearProviders();
            builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
            builder.Services.AddHostedService(_ => new Receiver(listener, dla.Out));
            using var host = builder.Build();
            await dla.Out.WriteLineAsync($"Listening for alerts on http://127.0.0.1:{portNumber}/ (Ctrl-C to stop)");
            await Hosting.LocalHost.RunUntilStoppedAsync(host, ct);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Prints whatever any local process posts: line by line, each escaped.</summary>
    private sealed class Receiver(HttpListener listener, TextWriter stdout) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await using var _ = stoppingToken.Register(listener.Stop);
            while (!stoppingToken.IsCancellationRequested)
            {
                HttpListenerContext context;
                try { context = await listener.GetContextAsync(); }
                catch (Exception) when (stoppingToken.IsCancellationRequested) { break; }
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync(stoppingToken);
                var text = body;
                try
                {
                    using var doc = JsonDocument.Parse(body);
                    if (doc.RootElement.TryGetProperty("text", out var t)) text = t.GetString() ?? body;
                }
                catch (JsonException) { }
                await stdout.WriteLineAsync($"--- {T(context.Request.Url?.AbsolutePath)} {T(context.Request.Headers["webhook-id"])}\n{string.Join("\n", text.Split('\n').Select(T))}\n");
                await stdout.FlushAsync(stoppingToken);
                context.Response.StatusCode = 200;
                await context.Response.OutputStream.WriteAsync("ok"u8.ToArray(), stoppingToken);
                context.Response.Close();
            }
        }
    }
}

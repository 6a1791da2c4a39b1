using System.Net;
using System.Text;
using System.Text.Json;
using Azure;
using DeadlineAlerts.App;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.Digest;
using DeadlineAlerts.App.Export;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.App.Import;
using DeadlineAlerts.App.Links;
using DeadlineAlerts.App.Milestones;
using DeadlineAlerts.App.Operator;
using DeadlineAlerts.App.Records;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.App.TimeZones;
using DeadlineAlerts.Cli.Serve;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Core.Time;
using DeadlineAlerts.Storage;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Ledger;
using DeadlineAlerts.Storage.Records;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Text;

namespace DeadlineAlerts.Cli;

/// <summary>
/// <c>dla</c>: the operator's tool and the local host of the scan and delivery services.
/// Exit codes: 0 ok, 1 bad input, 2 usage, 3 failure (storage unreachable and the like).
/// </summary>
public static class Cli
{
    public const int Ok = 0, BadInput = 1, Usage = 2, Failure = 3;

    private const string GlobalHelp = """
        Options for every command:
          --storage CONNECTION   storage connection string (default: env DeadlineAlerts__Storage, else UseDevelopmentStorage=true)
          --table-prefix P       letters and digits; all tables and queues of one prefix are one installation (default: env DeadlineAlerts__TablePrefix, else none)
          --now INSTANT          run as if it were this instant, e.g. 2025-07-29T08:00:00Z (the clock then runs on from there)
          --verbose              log what the services do
          --help                 this text
          --version              the version of dla and of the tz data in use (DeadlineAlerts__TimeZoneData, else embedded)
        """;

    private static readonly Dictionary<string, string> Help = new()
    {
        ["import"] = "dla import FILE.json|FILE.csv [--format json|csv]\n  Validates and stores deadlines and subscribers (all-or-nothing, idempotent by id). CSV holds deadlines, one a row; the format follows the extension unless --format says.",
        ["export"] = "dla export [--format json|csv|ics] [--out FILE]\n  Writes the stored records as an import file. json: deadlines and subscribers; webhook URLs and secrets only with --out (the file is made readable by you alone). csv: deadlines. ics: the active deadlines as a calendar (not importable).",
        ["deadlines"] = "dla deadlines [--json]\n  Lists deadlines with their countdowns or status (\"overdue by 2 days\"), and the latest change; --json includes the history.",
        ["extend"] = "dla extend ID --to LOCAL [--zone ZONE] [--reason TEXT]\n  Moves a deadline's due time (later or earlier; LOCAL in the deadline's zone unless --zone): re-arms its alerts, cancels the unsent old ones, queues a notice to every follower.",
        ["resolve"] = "dla resolve ID [--reason TEXT]\n  Marks a deadline met or no longer pending: no further alerts; queues a short notice to every follower.",
        ["cancel"] = "dla cancel ID [--reason TEXT]\n  Calls a deadline off: no further alerts; queues a short notice to every follower.",
        ["subscribers"] = "dla subscribers [--json]\n  Lists subscribers, their zones and channels (URLs redacted).",
        ["preview"] = "dla preview --from INSTANT --to INSTANT [--json]\n  The alerts that would fire in (from, to], without sending.",
        ["run"] = "dla run [--once]\n  --once: one tick at --now, deliver everything queued, exit. Without it: tick on the scan period and deliver until Ctrl-C.",
        ["alerts"] = "dla alerts [--deadline ID] [--subscriber ID] [--status S] [--json]\n  The alert ledger: each alert and channel, status, attempts, last error.",
        ["serve"] = "dla serve [--port 7071] [--bind ADDRESS] [--no-run]\n  Serves the operator HTTP API under /api/ (the routes the Functions app serves) on 127.0.0.1, and runs the tick and delivery loop as dla run does unless --no-run. Operator routes need DeadlineAlerts__OperatorKey.",
        ["audit"] = "dla audit [--deadline ID] [--subscriber ID] [--since INSTANT] [--json]\n  Who changed which record, when, and what changed (newest first).",
        ["listen"] = "dla listen [--port 5099]\n  A local webhook receiver that prints each alert it gets (for the demo).",
        ["test"] = "dla test SUBSCRIBER_ID CHANNEL_ID\n  Sends a clearly marked test message through the channel now and prints the outcome: delivered, or the receiver's answer. Channel ids are in dla subscribers.",
        ["resend"] = "dla resend LEDGER_KEY | --poison\n  Sends a failed delivery again (its ledger key is in dla alerts --status failed), through the outbox: dla run or dla serve delivers it. --poison: every delivery the poison queue holds.",
        ["clear"] = "dla clear SUBSCRIBER_ID CHANNEL_ID\n  Clears a channel's broken mark so alerts go to it again (send it a test first).",
        ["calendar"] = "dla calendar SUBSCRIBER_ID\n  Prints the subscriber's calendar feed URL (signed; needs DeadlineAlerts__UnsubscribeKey and DeadlineAlerts__PublicBaseUrl).",
        ["replan"] = "dla replan\n  Re-plans every future alert with the tz data in use (the first tick after the data changed does it by itself): a deadline whose local due time now means another instant is moved, with history, an audit entry by tzdb and a notice to its followers; each alert fires once, at its new instant.",
        ["reset"] = "dla reset --yes\n  Deletes every table and queue of the installation (--table-prefix).",
    };

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        CliArgs cli;
        try { cli = CliArgs.Parse(args); }
        catch (UsageException e) { await stderr.WriteLineAsync(e.Message); return Usage; }

        if (cli.Command is null && cli.Unknown() is { } unknown)
        {
            await stderr.WriteLineAsync($"Unknown option --{unknown}. Run dla --help.");
            return Usage;
        }
        if (cli.Command is null && cli.Has("version"))
        {
            try
            {
                await using var versionServices = BuildServices(cli);
                var tz = versionServices.GetRequiredService<TimeZoneData>();
                var version = typeof(Cli).Assembly.GetName().Version?.ToString(3) ?? "unknown";
                await stdout.WriteLineAsync($"dla {version}\ntz data {tz.Version} ({tz.Source}; embedded {TimeZoneData.EmbeddedVersion})");
                if (tz.Warning is { } w) await stderr.WriteLineAsync("Warning: " + w);
                return Ok;
            }
            catch (UsageException e) { await stderr.WriteLineAsync(e.Message); return Usage; }
            catch (SettingsInvalidException e) { await WriteLinesAsync(stderr, e.Message); return BadInput; }
        }
        if (cli.Command is null || cli.Command == "help")
        {
            await stdout.WriteLineAsync("dla: DeadlineAlerts operator tool\n\nCommands:\n" +
                string.Join("\n", Help.Values.Select(h => "  " + h.Split('\n')[0])) + "\n\n" + GlobalHelp);
            return cli.Command is null && !cli.Has("help") ? Usage : Ok;
        }
        if (!Help.TryGetValue(cli.Command, out var help))
        {
            await stderr.WriteLineAsync($"Unknown command \"{cli.Command}\". Run dla --help.");
            return Usage;
        }
        if (cli.Has("help")) { await stdout.WriteLineAsync(help + "\n\n" + GlobalHelp); return Ok; }

        ServiceProvider? services = null;
        try
        {
            services = BuildServices(cli);
            if (services.GetRequiredService<TimeZoneData>().Warning is { } tzWarning)
                await stderr.WriteLineAsync("Warning: " + tzWarning);
            return cli.Command switch
            {
                "import" => await ImportAsync(cli, services, stdout, stderr, ct),
                "export" => await ExportAsync(cli, services, stdout, stderr, ct),
                "deadlines" => await DeadlinesAsync(cli, services, stdout, ct),
                "extend" or "resolve" or "cancel" => await MilestoneAsync(cli, services, stdout, stderr, ct),
                "subscribers" => await SubscribersAsync(cli, services, stdout, ct),
                "preview" => await PreviewAsync(cli, services, stdout, stderr, ct),
                "replan" => await ReplanAsync(cli, services, stdout, ct),
                "run" => await RunLoopAsync(cli, services, stdout, ct),
                "serve" => await ServeAsync(cli, services, stdout, ct),
                "audit" => await AuditAsync(cli, services, stdout, ct),
                "alerts" => await AlertsAsync(cli, services, stdout, ct),
                "listen" => await ListenAsync(cli, stdout, ct),
                "calendar" => await CalendarAsync(cli, services, stdout, ct),
                "test" or "resend" or "clear" => await OperatorActionAsync(cli, services, stdout, ct),
                "reset" => await ResetAsync(cli, services, stdout, ct),
                _ => Usage,
            };
        }
        catch (UsageException e) { await stderr.WriteLineAsync(e.Message); return Usage; }
        catch (RecordValidationException e)
        {
            await stderr.WriteLineAsync($"Nothing was {(cli.Command == "import" ? "imported" : "written")}: {e.Problems.Count} problem(s) found.");
            foreach (var p in e.Problems) await stderr.WriteLineAsync("  " + p); // RecordProblem escapes and shortens values
            return BadInput;
        }
        catch (BadInputException e) { await stderr.WriteLineAsync(T(e.Message)); return BadInput; }
        catch (SettingsInvalidException e) { await WriteLinesAsync(stderr, e.Message); return BadInput; }
        catch (StorageRefusedException e) { await stderr.WriteLineAsync(e.Message); return BadInput; }
        catch (RequestFailedException e)
        {
            await stderr.WriteLineAsync(StorageFailedText(e));
            return Failure;
        }
        catch (Exception e) when (e is HttpRequestException or AggregateException or InvalidOperationException)
        {
            await stderr.WriteLineAsync(e is AggregateException
                ? "Storage is unreachable. Is Azurite running (npx azurite --skipApiVersionCheck), and is --storage right?"
                : $"Failed: {e.GetBaseException().Message}");
            return Failure;
        }
        finally
        {
            if (services is not null) await services.DisposeAsync();
        }
    }

    private sealed class BadInputException(string message) : Exception(message);

    private static async Task WriteLinesAsync(TextWriter writer, string text)
    {
        foreach (var line in text.Split('\n')) await writer.WriteLineAsync(T(line));
    }

    /// <summary>
    /// Record text as a terminal line shows it (<see cref="TextRules.Terminal"/>): control characters escaped, so a
    /// record stored before the character rules, or written to the table directly, cannot drive the terminal.
    /// Every command that prints record text (titles, names, notes, reasons, audit summaries, alert text, errors)
    /// prints it through this.
    /// </summary>
    private static string T(object? value) => TextRules.Terminal(value?.ToString());

    /// <summary>
    /// A storage request that failed, for the operator. "Is Azurite running?" only when storage did not answer
    /// (status 0); an answer (a 4xx or 5xx) means storage is running and said no, so the hint would mislead.
    /// </summary>
    private static string StorageFailedText(RequestFailedException e) => e.Status switch
    {
        0 => "Storage is unreachable. Is Azurite running (npx azurite --skipApiVersionCheck), and is --storage right?",
        401 or 403 => $"Storage refused access ({e.Status} {e.ErrorCode}): check the account key or the identity's data role for --storage (DeadlineAlerts__Storage).",
        >= 400 and < 500 => $"Storage refused the request ({e.Status} {e.ErrorCode}).",
        _ => $"Storage failed ({e.Status} {e.ErrorCode}); try again.",
    };

    private static ServiceProvider BuildServices(CliArgs cli)
    {
        var overrides = new Dictionary<string, string?>();
        if (cli.Get("storage") is { } storage) overrides["DeadlineAlerts:Storage"] = storage;
        if (cli.Get("table-prefix") is { } prefix) overrides["DeadlineAlerts:TablePrefix"] = prefix;
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddInMemoryCollection(overrides).Build();

        var services = new ServiceCollection();
        services.AddLogging(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(cli.Has("verbose") ? LogLevel.Information : LogLevel.Warning)
            .AddFilter("System.Net.Http", LogLevel.Warning)
            .AddFilter("DeadlineAlerts", cli.Has("verbose") ? LogLevel.Information : LogLevel.Error)); // run prints its own summary
        if (cli.Get("now") is { } now) services.UseScheduleClockFrom(ParseInstant(now, "--now"));
        try { services.AddDeadlineAlerts(configuration); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        // The hosts export OpenTelemetry only when an exporter is configured (docs/telemetry.md); other commands never.
        var telemetry = cli.Command is "run" or "serve" && TelemetrySetup.AnyExporter(configuration);
        if (telemetry) services.AddDeadlineAlertsTelemetry(configuration, serviceName: "dla");
        var provider = services.BuildServiceProvider();
        // What ValidateOnStart does under a host: a bad setting stops every command here, before anything runs.
        try { OptionsCheck.Validate(provider); }
        catch (SettingsInvalidException) { provider.Dispose(); throw; }
        if (telemetry) TelemetrySetup.StartWithoutHost(provider);
        try { provider.GetRequiredService<StorageClients>(); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        return provider;
    }

    private static Instant ParseInstant(string text, string option)
    {
        var r = InstantPattern.ExtendedIso.Parse(text.Trim());
        if (r.Success) return r.Value;
        var odt = OffsetDateTimePattern.ExtendedIso.Parse(text.Trim());
        if (odt.Success) return odt.Value.ToInstant();
        throw new UsageException($"{option} \"{text}\" is not an ISO instant; give one such as 2025-07-29T08:00:00Z");
    }

    private static async Task EnsureStorageAsync(ServiceProvider sp, CancellationToken ct) =>
        await sp.GetRequiredService<StorageClients>().EnsureCreatedAsync(ct);

    private static async Task<int> ImportAsync(CliArgs cli, ServiceProvider sp, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        cli.Allow("format");
        if (cli.Positional.Count != 1) throw new UsageException("dla import needs exactly one FILE. See dla import --help.");
        var path = cli.Positional[0];
        var format = cli.Get("format")?.ToLowerInvariant()
                     ?? (Path.GetExtension(path).Equals(".csv", StringComparison.OrdinalIgnoreCase) ? "csv" : "json");
        if (format is not ("json" or "csv")) throw new UsageException($"--format \"{format}\" is not an import format; use json or csv.");
        if (!File.Exists(path)) throw new BadInputException($"File \"{path}\" does not exist.");
        var size = new FileInfo(path).Length;
        if (size > TextRules.Limits.FileBytes)
            throw new RecordValidationException([new RecordProblem($"file {Path.GetFileName(path)}", "size", null,
                $"is {size:N0} bytes; an import file may be at most {TextRules.Limits.FileBytes:N0} bytes (16 MiB); split it into several files")]);
        // Read as strict UTF-8: invalid bytes are refused with their offset, never silently replaced by U+FFFD.
        var text = TextRules.DecodeUtf8(await File.ReadAllBytesAsync(path, ct), $"file {Path.GetFileName(path)}");
        var clock = sp.GetRequiredService<IClock>();
        var reader = sp.GetRequiredService<RecordReader>();
        var set = format == "csv" ? reader.ReadCsv(text, clock.GetCurrentInstant()) : reader.ReadJson(text, clock.GetCurrentInstant());
        await EnsureStorageAsync(sp, ct);
        var result = await sp.GetRequiredService<ImportService>().ImportAsync(set, ct);
        foreach (var w in result.Warnings) await stderr.WriteLineAsync("warning: " + T(w));
        await stdout.WriteLineAsync($"Imported {Path.GetFileName(path)}: {result.Added.Count} added, {result.Updated.Count} updated, {result.Unchanged.Count} unchanged; {result.AlertsScheduled} alert(s) scheduled.");
        foreach (var (sub, channel, secret) in result.GeneratedSecrets)
            await stdout.WriteLineAsync($"Generated webhook signing secret for subscriber {sub}, channel {channel} (shown once, give it to the receiver): {secret}");
        return Ok;
    }

    private static async Task<int> ExportAsync(CliArgs cli, ServiceProvider sp, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        cli.Allow("format", "out");
        if (cli.Positional.Count > 0) throw new UsageException("dla export takes no FILE; write to a file with --out FILE.");
        var format = cli.Get("format")?.ToLowerInvariant() ?? "json";
        if (format is not ("json" or "csv" or "ics")) throw new UsageException($"--format \"{format}\" is not an export format; use json, csv or ics.");
        var path = cli.Get("out");
        await EnsureStorageAsync(sp, ct);
        var export = sp.GetRequiredService<ExportService>();
        var text = format switch
        {
            "csv" => await export.CsvAsync(ct),
            "ics" => await export.IcsAsync(ct),
            _ => await export.JsonAsync(includeSecrets: path is not null, ct),
        };
        if (path is null)
        {
            await stdout.WriteAsync(text);
            if (format == "json" && await export.HasSecretChannelsAsync(ct))
                await stderr.WriteLineAsync("note: webhook, Slack and Teams URLs and signing secrets are redacted, so this output cannot re-create those channels; use --out FILE for a complete export.");
            return Ok;
        }
        await WritePrivateFileAsync(path, text, ct);
        await stdout.WriteLineAsync($"Exported {format} to {path}" + (format == "json" ? " (it holds channel URLs and signing secrets; keep it private)." : "."));
        return Ok;
    }

    /// <summary>
    /// Writes a file only its owner can read or write, since a full export holds channel tokens and signing
    /// secrets. The mode is set before the content is written, also when the file already existed.
    /// </summary>
    private static async Task WritePrivateFileAsync(string path, string text, CancellationToken ct)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            await using var stream = new FileStream(path, options);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false));
            await writer.WriteAsync(text.AsMemory(), ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"Cannot write \"{path}\": {e.Message}");
        }
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private static async Task<int> DeadlinesAsync(CliArgs cli, ServiceProvider sp, TextWriter stdout, CancellationToken ct)
    {
        cli.Allow("json");
        await EnsureStorageAsync(sp, ct);
        var now = sp.GetRequiredService<IClock>().GetCurrentInstant();
        var list = (await sp.GetRequiredService<RecordStore>().ListDeadlinesAsync(ct)).OrderBy(d => d.Due.Instant).ToList();
        if (cli.Has("json"))
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(list.Select(d => new
            {
                d.Id,
                d.Title,
                due = d.Due.LocalText,
                timeZone = d.Due.Zone.Id,
                dueInstant = TimeText.Iso(d.Due.Instant),
                d.Category,
                leadTimes = d.LeadTimes.Select(l => l.Text),
                status = d.Status.ToString().ToLowerInvariant(),
                countdown = Countdown.Standing(d, now),
                history = d.History.Select(h => h.ToJson()),
            }), Json));
            return Ok;
        }
        if (list.Count == 0) { await stdout.WriteLineAsync("No deadlines stored. Import some with dla import FILE.json."); return Ok; }
        foreach (var d in list)
        {
            await stdout.WriteLineAsync($"{T(d.Id),-32} {Countdown.Standing(d, now),-26} {TimeText.Full(d.Due.Instant, d.Due.Zone)}  {T(d.Title)}");
            if (d.History.Count > 0) await stdout.WriteLineAsync($"{"",-32} latest change: {T(ChangeText(d.History[^1]))}");
        }
        return Ok;
    }

    /// <summary>"extended by 90 days on Wed 6 Aug 08:00 EDT by alice (was Tue 12 Aug 00:01 EDT): talks continue".</summary>
    private static string ChangeText(HistoryEntry h)
    {
        var moved = h.OldDue.Instant == h.NewDue.Instant ? "" : $" by {MessageView.ShiftWords(h.OldDue.Instant, h.NewDue.Instant, h.NewDue.Zone)}";
        return $"{h.Kind}{moved} on {TimeText.Brief(h.At, h.NewDue.Zone)} by {h.By} (was due {TimeText.Brief(h.OldDue.Instant, h.OldDue.Zone)})"
               + (h.Reason is { } r ? $": {r}" : "");
    }

    private static async Task<int> MilestoneAsync(CliArgs cli, ServiceProvider sp, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var extend = cli.Command == "extend";
        if (extend) cli.Allow("to", "zone", "reason"); else cli.Allow("reason");
        if (cli.Positional.Count != 1) throw new UsageException($"dla {cli.Command} needs exactly one deadline ID. See dla {cli.Command} --help.");
        var id = cli.Positional[0];
        var reason = cli.Get("reason");
        await EnsureStorageAsync(sp, ct);
        var milestones = sp.GetRequiredService<MilestoneService>();
        MilestoneResult result;
        try
        {
            result = cli.Command switch
            {
                "extend" => await milestones.ExtendAsync(id, cli.Get("to") ?? throw new UsageException("dla extend needs --to LOCAL, e.g. --to 2025-11-10T00:01."),
                    cli.Get("zone"), reason, CliActor, ct: ct),
                "resolve" => await milestones.ResolveAsync(id, reason, CliActor, ct: ct),
                _ => await milestones.CancelAsync(id, reason, CliActor, ct: ct),
            };
        }
        catch (MilestoneException e) { throw new BadInputException(e.Message); }
        if (result.Warning is { } w) await stderr.WriteLineAsync("warning: " + w);
        var d = result.Deadline.Value;
        if (result.Change is not { } change)
        {
            await stdout.WriteLineAsync($"Deadline {T(id)} is already {(extend ? "due " + TimeText.Full(d.Due.Instant, d.Due.Zone) : d.Status.ToString().ToLowerInvariant())}; nothing changed, nothing sent.");
            return Ok;
        }
        await stdout.WriteLineAsync($"Deadline {T(id)}: {T(ChangeText(change))}.");
        await stdout.WriteLineAsync($"Now: {Countdown.Standing(d, sp.GetRequiredService<IClock>().GetCurrentInstant())}, due {TimeText.Full(d.Due.Instant, d.Due.Zone)}.");
        await stdout.WriteLineAsync($"{result.NoticesQueued} notice(s) queued (dla run delivers them), {result.AlertsCancelled} unsent alert(s) cancelled, {result.AlertsScheduled} alert(s) scheduled.");
        return Ok;
    }

    /// <summary>The audit actor of CLI changes.</summary>
    private const string CliActor = "cli";

    private static async Task<int> SubscribersAsync(CliArgs cli, ServiceProvider sp, TextWriter stdout, CancellationToken ct)
    {
        cli.Allow("json");
        await EnsureStorageAsync(sp, ct);
        var list = (await sp.GetRequiredService<RecordStore>().ListSubscribersAsync(ct)).OrderBy(s => s.Id).ToList();
        if (cli.Has("json"))
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(list.Select(s => new
            {
                s.Id,
                s.Name,
                timeZone = s.TimeZone?.Id,
                s.Categories,
                deadlines = s.DeadlineIds,
                leadTimes = s.LeadTimes.Select(l => l.Text),
                quietHours = s.QuietHours is { } q ? new { from = q.FromText, to = q.ToText, urgent = q.UrgentPassesThrough } : null,
                channels = s.Channels.Select(c => new { id = c.Id, type = c.Type, target = c.Redacted, broken = c.BrokenReason }),
                digest = s.Digest?.ToString(),
            }), Json));
            return Ok;
        }
        if (list.Count == 0) { await stdout.WriteLineAsync("No subscribers stored."); return Ok; }
        foreach (var s in list)
        {
            var follows = string.Join(", ", s.Categories.Select(c => "category " + c).Concat(s.DeadlineIds.Select(d => d.Value)));
            await stdout.WriteLineAsync($"{T(s.Id),-24} {T(s.Name),-24} {s.TimeZone?.Id ?? "(deadline's zone)",-20} follows {T(follows)}"
                                        + (s.QuietHours is { } q ? $"; quiet {q}{(q.UrgentPassesThrough ? "" : " (urgent held too)")}" : ""));
            if (s.Digest is { } digest) await stdout.WriteLineAsync($"    digest   {digest}");
            foreach (var c in s.Channels)
                await stdout.WriteLineAsync($"    {T(c.Type),-8} {T(c.Redacted)}{(c.BrokenReason is { } b ? $"  BROKEN: {T(b)}" : "")}");
        }
        return Ok;
    }

    /// <summary>The feed URL is a secret of the subscriber's: printed for the operator to pass on, never logged.</summary>
    private static async Task<int> CalendarAsync(CliArgs cli, ServiceProvider sp, TextWriter stdout, CancellationToken ct)
    {
        cli.Allow();
        if (cli.Positional.Count != 1) throw new UsageException("dla calendar needs exactly one SUBSCRIBER_ID.");
        var id = cli.Positional[0];
        await EnsureStorageAsync(sp, ct);
        if (await sp.GetRequiredService<RecordStore>().GetSubscriberAsync(id, ct) is null)
            throw new BadInputException($"subscriber {id} is not stored; dla subscribers lists the ids.");
        var links = sp.GetRequiredService<SubscriberLinks>();
        var url = links.CalendarUrl(id) ?? throw new BadInputException($"No calendar link can be made: {links.Problem}.");
        await stdout.WriteLineAsync(url);
        return Ok;
    }

    private static async Task<int> PreviewAsync(CliArgs cli, ServiceProvider sp, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        cli.Allow("from", "to", "json");
        var from = ParseInstant(cli.Get("from") ?? throw new UsageException("dla preview needs --from INSTANT."), "--from");
        var to = ParseInstant(cli.Get("to") ?? throw new UsageException("dla preview needs --to INSTANT."), "--to");
        if (to <= from) throw new UsageException("--to must be after --from.");
        await EnsureStorageAsync(sp, ct);
        var replanner = sp.GetRequiredService<Replanner>();
        List<DueAlert> due;
        if (await replanner.PlannedAsync(ct) is { } planned && planned != replanner.InUse)
        {
            // Shown as the data in use plans them (read only): the next tick moves the schedule there.
            await stderr.WriteLineAsync($"Warning: the schedule was planned with tz data {planned} and tz data {replanner.InUse} is in use; " +
                $"the times below are tz data {replanner.InUse}'s, which the next tick re-plans the schedule to (or run dla replan now).");
            due = [.. (await replanner.PreviewAsync(from, to, ct)).Select(p =>
                new DueAlert(p.Alert, TickDecision.Send, new AlertMessage(p.Alert, p.Deadline, p.Subscriber, p.Alert.FireAt, late: false), p.Subscriber.Channels))];
        }
        else due = await sp.GetRequiredService<ScanService>().DueAsync(from, to, ct: ct);
        if (cli.Has("json"))
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(due.Select(d => new
            {
                alertId = d.Alert.Id.Value,
                deadlineId = d.Alert.DeadlineId,
                subscriberId = d.Alert.SubscriberId,
                leadTime = d.Alert.LeadTime.Text,
                fireAt = TimeText.Iso(d.Alert.FireAt),
                dueAt = TimeText.Iso(d.Alert.DueAt),
                fireAtSubscriber = TimeText.Full(d.Alert.FireAt, d.View.SubscriberZone),
                text = d.View.PlainText,
                channels = d.Channels.Select(c => c.Redacted),
            }), Json));
            return Ok;
        }
        if (due.Count == 0) { await stdout.WriteLineAsync("No alerts fire in that window."); return Ok; }
        foreach (var d in due)
            await stdout.WriteLineAsync($"{TimeText.Iso(d.Alert.FireAt)}  {T(d.Alert.SubscriberId),-20} {d.Alert.LeadTime.Text,-6} {T(d.View.Headline)}");
        return Ok;
    }

    private static async Task<int> ReplanAsync(CliArgs cli, ServiceProvider sp, TextWriter stdout, CancellationToken ct)
    {
        cli.Allow();
        await EnsureStorageAsync(sp, ct);
        var replanner = sp.GetRequiredService<Replanner>();
        var r = await replanner.ReplanAsync(await replanner.PlannedAsync(ct), ct);
        await stdout.WriteLineAsync($"Re-planned every future alert with tz data {r.To} (planned before with {r.From ?? "an unrecorded version"}).");
        if (r.Moved.Count == 0) await stdout.WriteLineAsync("No deadline's due instant moved.");
        foreach (var m in r.Moved)
            await stdout.WriteLineAsync($"  {T(m.DeadlineId)} ({m.Zone}): due {TimeText.Iso(m.Was)} is now {TimeText.Iso(m.Now)}; {m.NoticesQueued} notice(s) queued");
        await stdout.WriteLineAsync($"{r.AlertsScheduled} alert(s) at new instants, {r.SentNow} queued now (their new instant had passed), " +
            $"{r.AlreadySent} already sent at their earlier instant (recorded, not sent again).");
        return Ok;
    }

    private static async Task<int> RunLoopAsync(CliArgs cli, ServiceProvider sp, TextWriter stdout, CancellationToken ct)
    {
        cli.Allow("once");
        await WarnIfLinksOffAsync(sp, stdout);
        if (cli.Has("once")) await EnsureStorageAsync(sp, ct);
        var scan = sp.GetRequiredService<ScanService>();
        var digests = sp.GetRequiredService<DigestService>();
        var clock = sp.GetRequiredService<IClock>();
        var runner = sp.GetRequiredService<LocalQueueRunner>();
        var options = sp.GetRequiredService<IOptions<AlertsOptions>>().Value;
        if (cli.Has("once"))
        {
            await TickAndDeliverAsync(scan, digests, clock, runner, options, stdout, drainAll: true, ct);
            return Ok;
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        await TickForeverAsync(sp, stdout, stop.Token);
        return Ok;
    }

    /// <summary>What <c>dla run</c> and <c>dla serve</c> run (as <c>func start</c> runs the timer and queue
    /// functions): a tick every scan period, then delivery of what is visible on the queue, until cancelled.</summary>
    private static async Task TickForeverAsync(ServiceProvider sp, TextWriter stdout, CancellationToken ct)
    {
        var scan = sp.GetRequiredService<ScanService>();
        var digests = sp.GetRequiredService<DigestService>();
        var clock = sp.GetRequiredService<IClock>();
        var runner = sp.GetRequiredService<LocalQueueRunner>();
        var options = sp.GetRequiredService<IOptions<AlertsOptions>>().Value;
        var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("DeadlineAlerts.Cli.Host");
        await stdout.WriteLineAsync($"Ticking every {options.ScanPeriod}; Ctrl-C to stop.");
        using var timer = new PeriodicTimer(options.ScanPeriod);
        var storageReady = false;
        try
        {
            do
            {
                // A failed tick or delivery (storage unreachable, a timeout) is logged and tried again next period:
                // the host, its API and its health endpoint stay up, and only Ctrl-C stops it.
                try
                {
                    if (!storageReady) { await EnsureStorageAsync(sp, ct); storageReady = true; } // once it has worked, not every tick
                    await TickAndDeliverAsync(scan, digests, clock, runner, options, stdout, drainAll: false, ct);
                }
                catch (Exception e) when (!ct.IsCancellationRequested && e is not OutOfMemoryException)
                {
                    storageReady = false; // storage may come back empty (a new emulator): create the tables again first
                    var what = FailureText(e);
                    logger.HostStepFailed("tick and delivery", what);
                    await stdout.WriteLineAsync($"Tick failed: {what}; trying again in {options.ScanPeriod}.");
                }
                await stdout.FlushAsync(ct);
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        // Ctrl-C during a step: whatever that step throws as it is cut short (a cancelled storage call may surface as
        // a RequestFailedException or an AggregateException, not only as cancellation) is the stop, not a failure.
        catch (Exception e) when (ct.IsCancellationRequested && e is not OutOfMemoryException) { }
    }

    /// <summary>A failure as an operator reads it: what failed, never a stack trace, a URL or a key.</summary>
    private static string FailureText(Exception e) => e switch
    {
        RequestFailedException r when r.Status == 0 => "storage is unreachable",
        RequestFailedException r => $"storage answered {r.Status} {r.ErrorCode}",
        AggregateException or HttpRequestException or IOException or TimeoutException or TaskCanceledException => "storage is unreachable",
        _ => $"unexpected {e.GetType().Name}",
    };

    private static async Task<int> ServeAsync(CliArgs cli, ServiceProvider sp, TextWriter stdout, CancellationToken ct)
    {
        cli.Allow("port", "bind", "no-run");
        var port = int.TryParse(cli.Get("port") ?? "7071", out var p) && p is >= 0 and <= 65535 ? p : throw new UsageException("--port must be a port number (0 picks a free one).");
        var bind = IPAddress.Loopback;
        if (cli.Get("bind") is { } b && !IPAddress.TryParse(b, out bind!))
            throw new UsageException($"--bind \"{b}\" is not an IP address; give one such as 127.0.0.1 (the default) or 0.0.0.0.");
        try { await EnsureStorageAsync(sp, ct); }
        catch (Exception e) when (e is RequestFailedException or AggregateException or HttpRequestException)
        {
            await stdout.WriteLineAsync($"warning: {FailureText(e)}; serving anyway (health says unhealthy until storage answers)");
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        ApiHost host;
        try { host = await ApiHost.StartAsync(sp.GetRequiredService<ApiRouter>(), port, bind, stop.Token); }
        catch (IOException e) { throw new BadInputException($"Cannot listen on {bind}:{port}: {e.Message}. Is another host running there?"); }
        await using (host)
        {
            var names = sp.GetRequiredService<IOptions<ApiOptions>>().Value.OperatorKeys().Select(k => k.Name).ToList();
            await stdout.WriteLineAsync($"Serving the API on {host.BaseUri}api/ (Ctrl-C to stop)");
            await stdout.WriteLineAsync($"Operator console: {host.ConsoleUri} (sign in with an operator key)");
            await stdout.WriteLineAsync(names.Count > 0
                ? $"Operator key: configured ({names.Count} key(s), audit names {string.Join(", ", names)})"
                : "Operator key: NOT configured; operator routes answer 401 until DeadlineAlerts__OperatorKey is set");
            if (!IPAddress.IsLoopback(bind)) await stdout.WriteLineAsync($"warning: listening on {bind}, beyond this machine, over plain HTTP");
            await WarnIfLinksOffAsync(sp, stdout);
            await stdout.FlushAsync(stop.Token);
            if (cli.Has("no-run"))
            {
                try { await Task.Delay(Timeout.Infinite, stop.Token); }
                catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            }
            else await TickForeverAsync(sp, stdout, stop.Token);
        }
        return Ok;
    }

    /// <summary>
    /// Without <c>UnsubscribeKey</c> and <c>PublicBaseUrl</c> messages go out with no unsubscribe link and the calendar
    /// feed is off. The hosts log that as a warning, which the CLI shows only with --verbose; a host that sends messages
    /// says it on one line at start whatever the verbosity, naming the settings and never a value.
    /// </summary>
    private static async Task WarnIfLinksOffAsync(ServiceProvider sp, TextWriter stdout)
    {
        if (sp.GetRequiredService<SubscriberLinks>().Warning is { } warning) await stdout.WriteLineAsync(warning);
    }

    private static async Task<int> AuditAsync(CliArgs cli, ServiceProvider sp, TextWriter stdout, CancellationToken ct)
    {
        cli.Allow("deadline", "subscriber", "since", "json");
        if (cli.Get("deadline") is not null && cli.Get("subscriber") is not null)
            throw new UsageException("dla audit takes --deadline or --subscriber, not both.");
        var since = cli.Get("since") is { } s ? ParseInstant(s, "--since") : (Instant?)null;
        var (kind, id) = cli.Get("deadline") is { } d ? (AuditEntries.DeadlineKind, d)
            : cli.Get("subscriber") is { } sub ? (AuditEntries.SubscriberKind, sub) : ((string?)null, (string?)null);
        await EnsureStorageAsync(sp, ct);
        var entries = await sp.GetRequiredService<AuditLog>().QueryAsync(kind, id, since, ct: ct);
        if (cli.Has("json"))
        {
            await stdout.WriteLineAsync(new System.Text.Json.Nodes.JsonArray(entries.Select(e => (System.Text.Json.Nodes.JsonNode)AuditModule.ToJson(e)).ToArray()).ToJsonString(Json));
            return Ok;
        }
        if (entries.Count == 0) { await stdout.WriteLineAsync("The audit log has no changes that match."); return Ok; }
        foreach (var e in entries)
            await stdout.WriteLineAsync($"{TimeText.Iso(e.At)}  {T(e.Actor),-12} {T(e.Action),-10} {T(e.RecordKind)} {T(e.RecordId)}: {T(e.Summary)}");
        return Ok;
    }

    /// <summary>
    /// One tick of the local host: the scan, then the digests (cheap when none is due: one read of the
    /// subscribers; a period is planned once however often this runs), then delivery of what both queued.
    /// </summary>
    private static async Task TickAndDeliverAsync(ScanService scan, DigestService digests, IClock clock, LocalQueueRunner runner, AlertsOptions options,
        TextWriter stdout, bool drainAll, CancellationToken ct)
    {
        var tick = await scan.TickAsync(ct);
        var window = tick.WindowStart is { } s ? $"({TimeText.Iso(s)}, {TimeText.Iso(tick.WindowEnd)}]" : "(nothing stored yet)";
        await stdout.WriteLineAsync($"Tick {window}: {tick.Planned} alert delivery(ies) planned ({tick.Late} late), {tick.Skipped} skipped"
                                    + (tick.Superseded > 0 ? $", {tick.Superseded} superseded by a later alert of the same deadline" : "")
                                    + (tick.Requeued > 0 ? $"; {tick.Requeued} unfinished delivery(ies) queued again" : "") + ".");
        foreach (var u in tick.Unreadable)
            await stdout.WriteLineAsync($"  unreadable {T(u)}");
        var digest = await digests.RunAsync(clock.GetCurrentInstant(), ct);
        if (digest.Planned + digest.Skipped > 0)
            await stdout.WriteLineAsync($"Digests: {digest.Planned} delivery(ies) planned, {digest.Skipped} skipped.");
        var lines = drainAll
            ? await runner.DrainAllAsync(options.MaxRetryDelay * 2, ct)
            : (await runner.DrainVisibleAsync(ct)).Lines;
        foreach (var l in lines.OrderBy(l => l.Entry.FireAt))
        {
            var what = l.Text?.Split('\n')[0] ?? l.Entry.MessageId;
            var detail = l.Status == LedgerStatus.Delivered ? "" : $"  ({l.Reason})";
            await stdout.WriteLineAsync($"  {l.Status.Wire(),-9} {T(l.Entry.ChannelType),-7} {T(l.ChannelShown),-40} {T(l.Entry.SubscriberId)}: {T(what)}{T(detail)}");
        }
    }

    private static async Task<int> AlertsAsync(CliArgs cli, ServiceProvider sp, TextWriter stdout, CancellationToken ct)
    {
        cli.Allow("deadline", "subscriber", "status", "json");
        LedgerStatus? status = null;
        if (cli.Get("status") is { } statusText)
            status = LedgerStatuses.Parse(statusText)
                     ?? throw new UsageException($"--status \"{statusText}\" is not a status; use one of {string.Join(", ", LedgerStatuses.All.Select(x => x.Wire()))}.");
        await EnsureStorageAsync(sp, ct);
        var entries = (await sp.GetRequiredService<AlertLedger>().QueryAsync(null, ct))
            .Where(e => cli.Get("deadline") is not { } d || e.DeadlineId == d)
            .Where(e => cli.Get("subscriber") is not { } s || e.SubscriberId == s)
            .Where(e => status is null || e.Status == status)
            .OrderBy(e => e.FireAt).ToList();
        if (cli.Has("json"))
        {
            await stdout.WriteLineAsync(new System.Text.Json.Nodes.JsonArray(entries.Select(e => (System.Text.Json.Nodes.JsonNode)DeliveryModule.ToJson(e)).ToArray()).ToJsonString(Json));
            return Ok;
        }
        if (entries.Count == 0) { await stdout.WriteLineAsync("The ledger has no alerts that match."); return Ok; }
        foreach (var e in entries)
            await stdout.WriteLineAsync($"{TimeText.Iso(e.FireAt)}  {e.Status.Wire(),-10} {T(e.DeadlineId),-28} {T(e.SubscriberId),-18} {T(e.LeadTime),-6} {T(e.ChannelId),-16} attempts {e.Attempts}{(e.Late ? " late" : "")}{(e.LastError is { } err ? "  " + T(err) : "")}{(e.Status == LedgerStatus.Failed ? $"  (dla resend {OperatorActions.LedgerKey(e)})" : "")}");
        return Ok;
    }

    /// <summary><c>dla test</c>, <c>dla resend</c>, <c>dla clear</c>: the operator's delivery actions, audited as <c>cli</c>.</summary>
    private static async Task<int> OperatorActionAsync(CliArgs cli, ServiceProvider sp, TextWriter stdout, CancellationToken ct)
    {
        var actions = sp.GetRequiredService<OperatorActions>();
        if (cli.Command == "resend") cli.Allow("poison"); else cli.Allow();
        var want = cli.Command == "resend" ? (cli.Has("poison") ? 0 : 1) : 2;
        if (cli.Positional.Count != want)
            throw new UsageException(cli.Command == "resend"
                ? "dla resend needs one LEDGER_KEY (from dla alerts --status failed) or --poison. See dla resend --help."
                : $"dla {cli.Command} needs SUBSCRIBER_ID and CHANNEL_ID (channel ids are in dla subscribers). See dla {cli.Command} --help.");
        await EnsureStorageAsync(sp, ct);
        try
        {
            switch (cli.Command)
            {
                case "test":
                    var t = await actions.TestAsync(cli.Positional[0], cli.Positional[1], CliActor, ct);
                    await stdout.WriteLineAsync($"Test message {t.MessageId} to {T(t.ChannelId)} ({T(t.ChannelShown)}) of {T(t.SubscriberId)}: {T(t.Outcome)}");
                    return t.Delivered ? Ok : Failure;
                case "clear":
                    var cleared = await actions.ClearAsync(cli.Positional[0], cli.Positional[1], CliActor, ct);
                    await stdout.WriteLineAsync(cleared
                        ? $"Channel {cli.Positional[1]} of {cli.Positional[0]}: broken mark cleared; alerts go to it again."
                        : $"Channel {cli.Positional[1]} of {cli.Positional[0]} was not marked broken; nothing changed.");
                    return Ok;
                case "resend" when cli.Has("poison"):
                    var (resent, problems) = await actions.RetryPoisonAsync(CliActor, ct);
                    foreach (var r in resent) await stdout.WriteLineAsync($"Re-sent {T(r.MessageId)} to {T(r.ChannelId)} of {T(r.SubscriberId)} as {T(OperatorActions.LedgerKey(r))}.");
                    foreach (var p in problems) await stdout.WriteLineAsync("  not re-sent: " + T(p));
                    await stdout.WriteLineAsync($"{resent.Count} delivery(ies) queued again from the poison queue (dla run delivers them).");
                    return Ok;
                default:
                    var row = await actions.ResendAsync(cli.Positional[0], CliActor, ct);
                    await stdout.WriteLineAsync($"Re-sent {T(row.MessageId)} to {T(row.ChannelId)} of {T(row.SubscriberId)} as {T(OperatorActions.LedgerKey(row))} ({row.Status.Wire()}; dla run delivers it).");
                    return Ok;
            }
        }
        catch (OperatorActionException e) { throw new BadInputException(e.Message); }
    }

    private static async Task<int> ResetAsync(CliArgs cli, ServiceProvider sp, TextWriter stdout, CancellationToken ct)
    {
        cli.Allow("yes");
        if (!cli.Has("yes")) throw new UsageException("dla reset deletes every table and queue of the installation; confirm with --yes.");
        var clients = sp.GetRequiredService<StorageClients>();
        foreach (var t in clients.Names.Tables) await clients.Tables.DeleteTableAsync(t, ct);
        await clients.Queue(clients.Names.AlertQueue).DeleteIfExistsAsync(ct);
        await clients.Queue(clients.Names.PoisonQueue).DeleteIfExistsAsync(ct);
        await stdout.WriteLineAsync($"Deleted the tables and queues of installation \"{clients.Names.Prefix}\".");
        return Ok;
    }

    private static async Task<int> ListenAsync(CliArgs cli, TextWriter stdout, CancellationToken ct)
    {
        cli.Allow("port");
        var port = int.TryParse(cli.Get("port") ?? "5099", out var p) ? p : throw new UsageException("--port must be a number.");
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        try { listener.Start(); }
        catch (HttpListenerException e) { throw new BadInputException($"Cannot listen on 127.0.0.1:{port}: {e.Message}. Is another listener running?"); }
        await stdout.WriteLineAsync($"Listening for alerts on http://127.0.0.1:{port}/ (Ctrl-C to stop)");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        await using var _ = stop.Token.Register(listener.Stop);
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); }
            catch (Exception) when (stop.IsCancellationRequested) { break; }
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(ct);
            var text = body;
            try
            {
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.TryGetProperty("text", out var t)) text = t.GetString() ?? body;
            }
            catch (JsonException) { }
            // Whatever any local process posts is printed: line by line, each escaped.
            await stdout.WriteLineAsync($"--- {T(context.Request.Url?.AbsolutePath)} {T(context.Request.Headers["webhook-id"])}\n{string.Join("\n", text.Split('\n').Select(T))}\n");
            await stdout.FlushAsync(ct);
            context.Response.StatusCode = 200;
            await context.Response.OutputStream.WriteAsync("ok"u8.ToArray(), ct);
            context.Response.Close();
        }
        return Ok;
    }
}

using System.Text.Json.Serialization;
using Azure;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.Core.Time;
using DeadlineAlerts.Storage;
using DeadlineAlerts.Storage.Ledger;
using DeadlineAlerts.Storage.Queue;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Storage.Schedule;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace DeadlineAlerts.App.Health;

[JsonConverter(typeof(JsonStringEnumConverter<HealthStatus>))]
public enum HealthStatus
{
    /// <summary>Storage answers and the last tick is recent.</summary>
    [JsonStringEnumMemberName("healthy")] Healthy,

    /// <summary>Storage answers, but no tick has completed for more than <see cref="HealthService.StaleAfterPeriods"/> scan periods (or ever),
    /// queued messages wait too long, overdue rows pile up, or a secret setting did not resolve.</summary>
    [JsonStringEnumMemberName("degraded")] Degraded,

    /// <summary>Storage cannot be reached, refuses us, or lacks the state table or the alert queue.</summary>
    [JsonStringEnumMemberName("unhealthy")] Unhealthy,
}

/// <summary>One check: what was asked, how it went, and a detail that never carries a secret or a URL.</summary>
public sealed record HealthCheck(string Name, HealthStatus Status, string Detail);

/// <summary>
/// The answer of <c>GET /api/health</c>. Times are ISO 8601 UTC; <see cref="LagSeconds"/> is how long ago the last
/// tick completed by the app's clock (negative when that tick is in the future by this clock: clock skew). A figure
/// that could not be read is null and left out of the JSON, never 0. No connection strings, keys, account names or endpoints.
/// </summary>
public sealed record HealthReport(
    HealthStatus Status,
    string CheckedAt,
    string? LastTick,
    double? LagSeconds,
    double ScanPeriodSeconds,
    int? QueuedMessages,
    IReadOnlyList<HealthCheck> Checks)
{
    /// <summary>Records and schedule rows the last tick could not read and set aside (named in the "records" check).</summary>
    public int? UnreadableRecords { get; init; }

    /// <summary>The TZDB release the app resolves zones with, e.g. "2026f" (setting DeadlineAlerts__TimeZoneData).</summary>
    public string? Tzdb { get; init; }

    /// <summary>How long the oldest visible message of the alert queue has waited since it was queued, in seconds; null
    /// when none waits (or the queue did not answer). Above <c>DeadlineAlerts__HealthMaxMessageWait</c> the report is degraded.</summary>
    public double? OldestMessageAgeSeconds { get; init; }

    /// <summary>Ledger rows past their send time (plus the outbox's grace) and not final, by the unfinished index; counted
    /// up to one past <c>DeadlineAlerts__HealthMaxOverdueRows</c>, above which the report is degraded.</summary>
    public int? OverdueRows { get; init; }

    /// <summary>200 while the app can work (healthy or degraded), 503 when it cannot reach its storage.</summary>
    [JsonIgnore] public int HttpStatus => Status == HealthStatus.Unhealthy ? 503 : 200;
}

/// <summary>
/// Is the installation working, and is delivery keeping up? Two probes run at once, each bounded by
/// <see cref="AlertsOptions.HealthCheckTimeout"/>:
/// <list type="bullet">
/// <item>tables: a point read of the scan checkpoint (the state table; it is also the last tick's completion time,
/// see <see cref="TickState.LastTickReportAsync"/>, which also says what it could not read), and the count of ledger rows
/// past their send time and not final, from the unfinished index (<see cref="UnfinishedIndex.CountOverdueRowsAsync"/>:
/// the table whose size is the work in flight, never the ledger's history);</item>
/// <item>queue: the alert queue's properties (its approximate length) and a peek at its oldest visible message (when
/// it was queued). A delayed retry is invisible until its time, so it does not count as waiting.</item>
/// </list>
/// Then, against the app's <see cref="IClock"/>:
/// <list type="bullet">
/// <item>unhealthy: a probe fails, times out, or finds its table or queue missing;</item>
/// <item>degraded: no tick has completed, the last one is more than <see cref="StaleAfterPeriods"/> scan periods old
/// or more than <see cref="ClockSkewTolerance"/> in the future (clock skew: a negative lag is never healthy)
/// (the timer is not firing, or ticks keep failing); the oldest queued message has waited longer than
/// <see cref="AlertsOptions.HealthMaxMessageWait"/> (nothing consumes the queue: a trigger the platform does not
/// scale, a stopped <c>dla run</c>); more than <see cref="AlertsOptions.HealthMaxOverdueRows"/> rows are overdue; or a
/// setting is an unresolved Key Vault reference (<see cref="KeyVaultReferences"/>);</item>
/// <item>healthy: otherwise.</item>
/// </list>
/// Each degraded check names its figure, and the report carries the figures themselves
/// (<see cref="HealthReport.OldestMessageAgeSeconds"/>, <see cref="HealthReport.OverdueRows"/>) for an alert rule. A
/// figure a probe could not read is left out (null), never reported as 0: an unreachable queue has no
/// <c>queuedMessages</c>, unreachable tables no <c>lagSeconds</c>, <c>overdueRows</c> or <c>unreadableRecords</c>.
/// </summary>
public sealed class HealthService(StorageClients clients, TickState state, UnreadableRecords unreadableRecords, AlertQueue queue, UnfinishedIndex unfinished, IClock clock,
    IOptions<AlertsOptions> options, TimeZoneData tzData, KeyVaultReferences keyVaultReferences, ILogger<HealthService> logger)
{
    public const int StaleAfterPeriods = 3;

    /// <summary>
    /// A last tick this far in the future by this host's clock is clock skew (degraded, with the reason). Below it the
    /// lag is reported as measured and called healthy: two hosts synchronised by NTP differ by milliseconds, and a
    /// health check that reads a tick another instance completed a moment ago must not flap.
    /// </summary>
    public static readonly Duration ClockSkewTolerance = Duration.FromSeconds(1);

    /// <summary>Kept unreadable records are counted up to here (the figure then reads "at least").</summary>
    public const int MaxUnreadableCounted = 1000;

    public async Task<HealthReport> CheckAsync(CancellationToken ct = default)
    {
        var o = options.Value;
        var period = Duration.FromTimeSpan(o.ScanPeriod);
        var maxWait = Duration.FromTimeSpan(o.HealthMaxMessageWait);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(o.HealthCheckTimeout);
        var started = clock.GetCurrentInstant();

        var tickTask = Probe("tables", $"tables {clients.Names.State} and {clients.Names.Unfinished}", async () =>
        {
            var report = state.LastTickReportAsync(timeout.Token);
            // Counting stops one past the threshold: the figure is exact up to it, and the probe stays cheap beyond.
            var overdue = unfinished.CountOverdueRowsAsync(started, Math.Max(o.HealthMaxOverdueRows, 0) + 1, timeout.Token);
            var kept = unreadableRecords.StillUnreadableAsync(MaxUnreadableCounted, timeout.Token);
            return (Report: await report, Overdue: await overdue, Unreadable: await kept);
        }, ct);
        var queueTask = Probe("queue", $"queue {clients.Names.AlertQueue}", async () =>
        {
            var properties = queue.Queue.GetPropertiesAsync(timeout.Token);
            var oldest = queue.Queue.PeekMessageAsync(timeout.Token);
            return (Depth: (await properties).Value.ApproximateMessagesCount, OldestQueuedAt: (await oldest).Value?.InsertedOn);
        }, ct);
        var (tables, tableFigures) = await tickTask;
        var (report, overdueRows, keptUnreadable) = tableFigures;
        // The deadlines and subscribers kept as unreadable until written again, and the schedule rows the last tick could not read.
        var unreadableCount = (keptUnreadable?.Count ?? 0) + report.Unreadable;
        var unreadableNames = string.Join(", ", (keptUnreadable ?? []).Take(10).Select(u => $"{u.RecordKind} {u.Id} ({u.Field})")
            .Concat(report.UnreadableNames is { Length: > 0 } rows ? [rows] : []));
        var lastTick = report.At;
        var (queued, queueFigures) = await queueTask;

        var now = clock.GetCurrentInstant();
        var checks = new List<HealthCheck> { tables, queued };
        double? lagSeconds = null;
        double? oldestAgeSeconds = null;
        if (tables.Status == HealthStatus.Healthy)
        {
            if (lastTick is { } last)
            {
                var lag = now - last;
                lagSeconds = Math.Round(lag.TotalSeconds, 3);
                checks.Add(lag < -ClockSkewTolerance
                    ? new HealthCheck("scan", HealthStatus.Degraded,
                        $"the last tick completed {Seconds(-lag)} in the future by this host's clock: the clocks of the host that ticked and this one disagree " +
                        "(clock skew), or the app's clock was set back; staleness cannot be judged until they agree; check the hosts' time synchronisation")
                    : lag > period * StaleAfterPeriods
                    ? new HealthCheck("scan", HealthStatus.Degraded,
                        $"the last tick completed {Seconds(lag)} ago, more than {StaleAfterPeriods} scan periods ({Seconds(period * StaleAfterPeriods)})")
                    : new HealthCheck("scan", HealthStatus.Healthy, $"the last tick completed {Seconds(lag)} ago"));
            }
            else
            {
                checks.Add(new HealthCheck("scan", HealthStatus.Degraded,
                    "no tick has completed yet (the first tick runs once something has been imported)"));
            }
            if (unreadableCount > 0)
                checks.Add(new HealthCheck("records", HealthStatus.Degraded,
                    $"{unreadableCount} stored record(s) or schedule row(s) cannot be read and their alerts are failed: {unreadableNames}; " +
                    "`dla alerts --status failed` shows them; import the fixed record"));
            var overdueText = overdueRows > o.HealthMaxOverdueRows ? $"more than {o.HealthMaxOverdueRows}" : $"{overdueRows}";
            checks.Add(overdueRows > o.HealthMaxOverdueRows
                ? new HealthCheck("unfinished", HealthStatus.Degraded,
                    $"{overdueText} ledger row(s) are past their send time and not final (threshold {o.HealthMaxOverdueRows}, DeadlineAlerts__HealthMaxOverdueRows); " +
                    "delivery is not keeping up or not running; `dla alerts --status planned` and `--status retrying` show them")
                : new HealthCheck("unfinished", HealthStatus.Healthy, $"{overdueText} ledger row(s) past their send time and not final"));
        }
        if (queued.Status == HealthStatus.Healthy)
        {
            if (queueFigures.OldestQueuedAt is { } queuedAt)
            {
                // The queue's clock and ours may disagree by a little; a message is never younger than zero.
                var age = Duration.Max(Duration.Zero, now - Instant.FromDateTimeOffset(queuedAt));
                oldestAgeSeconds = Math.Round(age.TotalSeconds, 3);
                checks.Add(age > maxWait
                    ? new HealthCheck("delivery", HealthStatus.Degraded,
                        $"the oldest of {queueFigures.Depth} queued message(s) has waited {Seconds(age)}, more than {Seconds(maxWait)} (DeadlineAlerts__HealthMaxMessageWait): " +
                        "nothing is taking messages from the queue; check that DeliverAlerts runs and scales (its trigger connection), or that `dla run` is running")
                    : new HealthCheck("delivery", HealthStatus.Healthy, $"{queueFigures.Depth} queued message(s), the oldest waiting {Seconds(age)}"));
            }
            else
            {
                checks.Add(new HealthCheck("delivery", HealthStatus.Healthy, "no message is waiting in the queue"));
            }
        }
        if (keyVaultReferences.Unresolved.Count > 0)
            checks.Add(new HealthCheck("settings", HealthStatus.Degraded,
                $"{string.Join(", ", keyVaultReferences.SettingNames)}: Key Vault reference(s) that did not resolve, treated as not set; " +
                "check the app identity's Key Vault Secrets User role, the vault's network access and that the secret exists"));

        var status = checks.Max(c => c.Status);
        var result = new HealthReport(
            status,
            RecordEntities.Iso(now),
            lastTick is { } t ? RecordEntities.Iso(t) : null,
            lagSeconds,
            period.TotalSeconds,
            queued.Status == HealthStatus.Healthy ? queueFigures.Depth : null,
            checks)
        {
            UnreadableRecords = tables.Status == HealthStatus.Healthy ? unreadableCount : null,
            Tzdb = tzData.Version,
            OldestMessageAgeSeconds = oldestAgeSeconds,
            OverdueRows = tables.Status == HealthStatus.Healthy ? overdueRows : null,
        };
        logger.HealthChecked(status == HealthStatus.Healthy ? LogLevel.Information : LogLevel.Warning,
            status.ToString().ToLowerInvariant(),
            string.Join(", ", checks.Where(c => c.Status != HealthStatus.Healthy).Select(c => c.Name)) is { Length: > 0 } names ? names : "none",
            result.QueuedMessages, result.OldestMessageAgeSeconds, result.OverdueRows, result.LagSeconds);
        return result;
    }

    private async Task<(HealthCheck Check, T? Value)> Probe<T>(string name, string what, Func<Task<T>> call, CancellationToken ct)
    {
        try
        {
            var value = await call();
            return (new HealthCheck(name, HealthStatus.Healthy, $"{what} answered"), value);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return (new HealthCheck(name, HealthStatus.Unhealthy, $"{what} does not exist ({e.ErrorCode}); the app creates it when it starts, and so does dla import"), default);
        }
        catch (RequestFailedException e) when (e.Status != 0)
        {
            return (new HealthCheck(name, HealthStatus.Unhealthy, $"{what} answered HTTP {e.Status} {e.ErrorCode}"), default);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (new HealthCheck(name, HealthStatus.Unhealthy,
                $"{what} did not answer within {Seconds(Duration.FromTimeSpan(options.Value.HealthCheckTimeout))}"), default);
        }
        catch (Azure.Identity.AuthenticationFailedException e)
        {
            return (new HealthCheck(name, HealthStatus.Unhealthy, $"{what} could not be signed in to ({e.GetType().Name}); check the app's identity"), default);
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or HttpRequestException)
        {
            // Only the exception's type: its message can carry the account URL.
            return (new HealthCheck(name, HealthStatus.Unhealthy, $"{what} is unreachable ({e.GetBaseException().GetType().Name})"), default);
        }
    }

    private static string Seconds(Duration d) => d.TotalSeconds < 120 ? $"{d.TotalSeconds:0} s" : $"{d.TotalMinutes:0} min";
}

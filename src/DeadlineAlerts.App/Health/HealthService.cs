using System.Text.Json.Serialization;
using Azure;
using DeadlineAlerts.Core.Time;
using DeadlineAlerts.Storage;
using DeadlineAlerts.Storage.Queue;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Storage.Schedule;
using Microsoft.Extensions.Options;
using NodaTime;

namespace DeadlineAlerts.App.Health;

[JsonConverter(typeof(JsonStringEnumConverter<HealthStatus>))]
public enum HealthStatus
{
    /// <summary>Storage answers and the last tick is recent.</summary>
    [JsonStringEnumMemberName("healthy")] Healthy,

    /// <summary>Storage answers, but no tick has completed for more than <see cref="HealthService.StaleAfterPeriods"/> scan periods (or ever).</summary>
    [JsonStringEnumMemberName("degraded")] Degraded,

    /// <summary>Storage cannot be reached, refuses us, or lacks the state table or the alert queue.</summary>
    [JsonStringEnumMemberName("unhealthy")] Unhealthy,
}

/// <summary>One check: what was asked, how it went, and a detail that never carries a secret or a URL.</summary>
public sealed record HealthCheck(string Name, HealthStatus Status, string Detail);

/// <summary>
/// The answer of <c>GET /api/health</c>. Times are ISO 8601 UTC; <see cref="LagSeconds"/> is how long ago the last
/// tick completed by the app's clock. No connection strings, keys, account names or endpoints.
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

    /// <summary>200 while the app can work (healthy or degraded), 503 when it cannot reach its storage.</summary>
    [JsonIgnore] public int HttpStatus => Status == HealthStatus.Unhealthy ? 503 : 200;
}

/// <summary>
/// Is the installation working? Two cheap storage calls run at once, each bounded by
/// <see cref="AlertsOptions.HealthCheckTimeout"/>: a point read of the scan checkpoint (the state table; it is also
/// the last tick's completion time, see <see cref="TickState.LastTickReportAsync"/>, which also says what it could not read) and the alert queue's properties
/// (its approximate length). Then the lag of the last tick against the app's <see cref="IClock"/>:
/// <list type="bullet">
/// <item>unhealthy: either call fails, times out, or finds its table or queue missing;</item>
/// <item>degraded: no tick has completed, or the last one is more than <see cref="StaleAfterPeriods"/> scan periods old
/// (the timer is not firing, or ticks keep failing);</item>
/// <item>healthy: otherwise.</item>
/// </list>
/// </summary>
public sealed class HealthService(StorageClients clients, TickState state, AlertQueue queue, IClock clock, IOptions<AlertsOptions> options, TimeZoneData tzData)
{
    public const int StaleAfterPeriods = 3;

    public async Task<HealthReport> CheckAsync(CancellationToken ct = default)
    {
        var period = Duration.FromTimeSpan(options.Value.ScanPeriod);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.HealthCheckTimeout);

        var tickTask = Probe("tables", $"table {clients.Names.State}", () => state.LastTickReportAsync(timeout.Token), ct);
        var queueTask = Probe("queue", $"queue {clients.Names.AlertQueue}",
            async () => (await queue.Queue.GetPropertiesAsync(timeout.Token)).Value.ApproximateMessagesCount, ct);
        var (tables, report) = await tickTask;
        var lastTick = report.At;
        var (queued, depth) = await queueTask;

        var now = clock.GetCurrentInstant();
        var checks = new List<HealthCheck> { tables, queued };
        double? lagSeconds = null;
        if (tables.Status == HealthStatus.Healthy)
        {
            if (lastTick is { } last)
            {
                var lag = now - last;
                lagSeconds = Math.Round(lag.TotalSeconds, 3);
                checks.Add(lag > period * StaleAfterPeriods
                    ? new HealthCheck("scan", HealthStatus.Degraded,
                        $"the last tick completed {Seconds(lag)} ago, more than {StaleAfterPeriods} scan periods ({Seconds(period * StaleAfterPeriods)})")
                    : new HealthCheck("scan", HealthStatus.Healthy, $"the last tick completed {Seconds(lag)} ago"));
            }
            else
            {
                checks.Add(new HealthCheck("scan", HealthStatus.Degraded,
                    "no tick has completed yet (the first tick runs once something has been imported)"));
            }
            if (report.Unreadable > 0)
                checks.Add(new HealthCheck("records", HealthStatus.Degraded,
                    $"{report.Unreadable} stored record(s) or schedule row(s) cannot be read and their alerts are failed: {report.UnreadableNames}; `dla alerts --status failed` shows them"));
        }

        return new HealthReport(
            checks.Max(c => c.Status),
            RecordEntities.Iso(now),
            lastTick is { } t ? RecordEntities.Iso(t) : null,
            lagSeconds,
            period.TotalSeconds,
            depth,
            checks)
        { UnreadableRecords = tables.Status == HealthStatus.Healthy ? report.Unreadable : null, Tzdb = tzData.Version };
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
            return (new HealthCheck(name, HealthStatus.Unhealthy, $"{what} does not exist ({e.ErrorCode}); dla import creates it"), default);
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

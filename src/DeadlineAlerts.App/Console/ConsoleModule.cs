using System.Text.Json.Nodes;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.Scan;
using DeadlineAlerts.Core.Rendering;
using NodaTime;
using NodaTime.TimeZones;

namespace DeadlineAlerts.App.OperatorConsole;

/// <summary>
/// The routes the operator console needs beyond the record and delivery routes, each usable with <c>curl</c>:
/// <list type="bullet">
/// <item><c>GET /api/session</c>: the server's instant (the console's countdowns tick from it, not from the
/// browser's clock) and who the key names;</item>
/// <item><c>GET /api/zones</c>: the IANA ids of the tz data in use, and the Windows ids with the IANA id to use;</item>
/// <item><c>GET /api/schedule?from=&amp;to=</c>: the alerts planned to fire in (from, to], at most 92 days,
/// without sending anything (what <c>dla preview</c> shows).</item>
/// </list>
/// </summary>
public sealed class ConsoleModule(ScanService scan, IDateTimeZoneProvider zones, IClock clock) : IApiModule
{
    /// <summary>The longest window <c>/api/schedule</c> reads (its cost grows with the days it spans).</summary>
    public static readonly Duration MaxScheduleWindow = Duration.FromDays(92);

    public void Map(ApiRouteTable routes) => routes
        .Get("/api/session", ApiAccess.Operator, Session)
        .Get("/api/zones", ApiAccess.Operator, Zones)
        .Get("/api/schedule", ApiAccess.Operator, ScheduleAsync, query: ["from", "to"]);

    private Task<ApiResponse> Session(ApiCall call, CancellationToken ct)
    {
        var r = ApiResponse.Json(200, new JsonObject
        {
            ["now"] = TimeText.Iso(clock.GetCurrentInstant()),
            ["operator"] = call.Caller,
            ["tzdb"] = zones.VersionId,
        });
        r.Headers["Cache-Control"] = "no-store";
        return Task.FromResult(r);
    }

    private Task<ApiResponse> Zones(ApiCall call, CancellationToken ct)
    {
        var windows = new JsonObject();
        foreach (var (windowsId, iana) in TzdbDateTimeZoneSource.Default.WindowsMapping.PrimaryMapping.OrderBy(p => p.Key, StringComparer.Ordinal))
            if (zones.GetZoneOrNull(iana) is not null) windows[windowsId] = iana;
        return Task.FromResult(ApiResponse.Json(200, new JsonObject
        {
            ["tzdb"] = zones.VersionId,
            ["zones"] = new JsonArray(zones.Ids.Order(StringComparer.Ordinal).Select(z => (JsonNode)z).ToArray()),
            ["windows"] = windows,
        }));
    }

    private async Task<ApiResponse> ScheduleAsync(ApiCall call, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var from = ApiRecords.QueryInstant(call, "from") ?? now;
        var to = ApiRecords.QueryInstant(call, "to") ?? from + Duration.FromDays(56);
        if (to <= from)
            throw new ApiProblemException(ApiProblem.BadRequest("to is not after from.",
                [new FieldError("to", TimeText.Iso(to), $"must be after from ({TimeText.Iso(from)})")]));
        if (to - from > MaxScheduleWindow)
            throw new ApiProblemException(ApiProblem.BadRequest("The window is too long.",
                [new FieldError("to", TimeText.Iso(to), $"must be at most {MaxScheduleWindow.Days} days after from; ask for the next window separately")]));
        var due = await scan.DueAsync(from, to, ct: ct);
        return ApiResponse.Json(200, new JsonObject
        {
            ["from"] = TimeText.Iso(from),
            ["to"] = TimeText.Iso(to),
            ["alerts"] = new JsonArray(due.Select(d => (JsonNode)new JsonObject
            {
                ["alertId"] = d.Alert.Id.Value,
                ["deadlineId"] = d.Alert.DeadlineId.Value,
                ["subscriberId"] = d.Alert.SubscriberId.Value,
                ["leadTime"] = d.Alert.LeadTime.Text,
                ["fireAt"] = TimeText.Iso(d.Alert.FireAt),
                ["dueAt"] = TimeText.Iso(d.Alert.DueAt),
                ["channels"] = d.Channels.Count,
            }).ToArray()),
        });
    }
}

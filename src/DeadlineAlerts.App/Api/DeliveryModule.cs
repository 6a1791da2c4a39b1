using System.Text.Json.Nodes;
using DeadlineAlerts.App.Operator;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Storage.Ledger;

namespace DeadlineAlerts.App.Api;

/// <summary>
/// What operators do about delivery (<see cref="OperatorActions"/>), each audited:
/// <list type="bullet">
/// <item><c>GET /api/alerts?deadline=&amp;subscriber=&amp;status=&amp;since=&amp;max=</c>: ledger rows, newest fire time first;</item>
/// <item><c>POST /api/alerts/{ledgerKey}/resend</c>: a failed row sent again through the outbox (202 with the new row);</item>
/// <item><c>POST /api/subscribers/{id}/channels/{channelId}/test</c>: a marked test message, sent now, and the receiver's answer;</item>
/// <item><c>POST /api/subscribers/{id}/channels/{channelId}/clear</c>: the channel's broken mark removed;</item>
/// <item><c>GET /api/poison</c> and <c>POST /api/poison/retry</c>: what the poison queue holds, and all of it re-sent.</item>
/// </list>
/// </summary>
public sealed class DeliveryModule(OperatorActions actions) : IApiModule
{
    public void Map(ApiRouteTable routes) => routes
        .Get("/api/alerts", ApiAccess.Operator, ListAsync, query: ["deadline", "subscriber", "status", "since", "max"])
        .Post("/api/alerts/{ledgerKey}/resend", ApiAccess.Operator, ResendAsync)
        .Post("/api/subscribers/{id}/channels/{channelId}/test", ApiAccess.Operator, TestAsync)
        .Post("/api/subscribers/{id}/channels/{channelId}/clear", ApiAccess.Operator, ClearAsync)
        .Get("/api/poison", ApiAccess.Operator, PoisonAsync)
        .Post("/api/poison/retry", ApiAccess.Operator, RetryPoisonAsync);

    /// <summary>One ledger row as the API and <c>dla alerts --json</c> show it. <c>sentAt</c> is set once delivered;
    /// <c>lastError</c> is the last attempt's reason (the ledger keeps the last one only).</summary>
    public static JsonObject ToJson(LedgerEntry e) => new()
    {
        ["ledgerKey"] = OperatorActions.LedgerKey(e),
        ["alertId"] = e.MessageId.Value,
        ["kind"] = e.Kind.Wire(),
        ["deadlineId"] = e.DeadlineId.Value,
        ["subscriberId"] = e.SubscriberId.Value,
        ["channelId"] = e.ChannelId.Value,
        ["channelType"] = e.ChannelType,
        ["leadTime"] = e.LeadTime,
        ["fireAt"] = TimeText.Iso(e.FireAt),
        ["dueAt"] = TimeText.Iso(e.DueAt),
        ["status"] = e.Status.Wire(),
        ["late"] = e.Late,
        ["plannedAt"] = TimeText.Iso(e.PlannedAt),
        ["attempts"] = e.Attempts,
        ["lastError"] = e.LastError,
        ["sentAt"] = e.Status == LedgerStatus.Delivered && e.CompletedAt is { } c ? TimeText.Iso(c) : null,
        ["completedAt"] = e.CompletedAt is { } done ? TimeText.Iso(done) : null,
        ["nextAttemptAt"] = e.NextAttemptAt is { } n ? TimeText.Iso(n) : null,
        ["providerMessageId"] = e.ProviderMessageId,
    };

    private async Task<ApiResponse> ListAsync(ApiCall call, CancellationToken ct)
    {
        LedgerStatus? status = null;
        if (call.Request.QueryValue("status") is { Length: > 0 } statusText)
            status = LedgerStatuses.Parse(statusText) ?? throw new ApiProblemException(ApiProblem.BadRequest("status is not a ledger status.",
                [new FieldError("status", statusText, $"must be one of {string.Join(", ", LedgerStatuses.All.Select(s => s.Wire()))}")]));
        var maxText = call.Request.QueryValue("max");
        var max = 500;
        if (maxText is not null && (!int.TryParse(maxText, out max) || max is < 1 or > 5000))
            throw new ApiProblemException(ApiProblem.BadRequest("max is not a count.", [new FieldError("max", maxText, "must be a whole number from 1 to 5000")]));
        var filter = new AlertFilter(Blank(call.Request.QueryValue("deadline")), Blank(call.Request.QueryValue("subscriber")), status,
            ApiRecords.QueryInstant(call, "since"), max);
        var rows = await Run(() => actions.ListAlertsAsync(filter, ct));
        return ApiResponse.Json(200, new JsonObject { ["alerts"] = new JsonArray(rows.Select(r => (JsonNode)ToJson(r)).ToArray()) });
    }

    private async Task<ApiResponse> ResendAsync(ApiCall call, CancellationToken ct)
    {
        var row = await Run(() => actions.ResendAsync(call.RouteValue("ledgerKey"), call.Caller, ct));
        var r = ApiResponse.Json(202, ToJson(row));
        r.Headers["Location"] = ApiRecords.Location(call, $"/api/alerts?subscriber={Uri.EscapeDataString(row.SubscriberId.Value)}&since={TimeText.Iso(row.PlannedAt)}");
        return r;
    }

    private async Task<ApiResponse> TestAsync(ApiCall call, CancellationToken ct)
    {
        var t = await Run(() => actions.TestAsync(call.RouteValue("id"), call.RouteValue("channelId"), call.Caller, ct));
        return ApiResponse.Json(200, new JsonObject
        {
            ["subscriberId"] = t.SubscriberId.Value,
            ["channelId"] = t.ChannelId.Value,
            ["channel"] = t.ChannelShown,
            ["messageId"] = t.MessageId.Value,
            ["delivered"] = t.Delivered,
            ["outcome"] = t.Outcome,
            ["text"] = t.Text,
        });
    }

    private async Task<ApiResponse> ClearAsync(ApiCall call, CancellationToken ct)
    {
        var cleared = await Run(() => actions.ClearAsync(call.RouteValue("id"), call.RouteValue("channelId"), call.Caller, ct));
        return ApiResponse.Json(200, new JsonObject
        {
            ["subscriberId"] = call.RouteValue("id"),
            ["channelId"] = call.RouteValue("channelId"),
            ["cleared"] = cleared,
            ["detail"] = cleared ? "the broken mark was removed; alerts go to this channel again" : "the channel was not marked broken; nothing changed",
        });
    }

    private async Task<ApiResponse> PoisonAsync(ApiCall call, CancellationToken ct)
    {
        var rows = await actions.PoisonedAsync(ct);
        return ApiResponse.Json(200, new JsonObject { ["alerts"] = new JsonArray(rows.Select(r => (JsonNode)ToJson(r)).ToArray()) });
    }

    private async Task<ApiResponse> RetryPoisonAsync(ApiCall call, CancellationToken ct)
    {
        var (resent, problems) = await actions.RetryPoisonAsync(call.Caller, ct);
        return ApiResponse.Json(200, new JsonObject
        {
            ["resent"] = new JsonArray(resent.Select(r => (JsonNode)ToJson(r)).ToArray()),
            ["problems"] = new JsonArray(problems.Select(p => (JsonNode)JsonValue.Create(p)).ToArray()),
        });
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    /// <summary>An action's refusal as a problem body: 400 with the field, 404, or 409 naming what to do instead.</summary>
    private static async Task<T> Run<T>(Func<Task<T>> action)
    {
        try { return await action(); }
        catch (OperatorActionException e)
        {
            throw new ApiProblemException(e.Status switch
            {
                400 => ApiProblem.BadRequest(e.Message, [new FieldError(e.Field ?? "request", e.Value, e.Message)]),
                404 => ApiProblem.NotFound(e.Message),
                _ => new ApiProblem { Title = "Not possible now", Status = e.Status, Detail = e.Message },
            });
        }
    }
}

using System.Text.Json.Nodes;
using DeadlineAlerts.App.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Storage.Audit;

namespace DeadlineAlerts.App.Api;

/// <summary>
/// <c>GET /api/audit?deadline=ID | subscriber=ID &amp; since=INSTANT &amp; max=N</c>: changes newest first, each
/// with who, when, what and the record before and after (secrets redacted when they were written).
/// </summary>
public sealed class AuditModule(AuditLog audit) : IApiModule
{
    public void Map(ApiRouteTable routes) => routes.Get("/api/audit", ApiAccess.Operator, ListAsync, query: ["deadline", "subscriber", "since", "max"]);

    private async Task<ApiResponse> ListAsync(ApiCall call, CancellationToken ct)
    {
        var deadline = call.Request.QueryValue("deadline");
        var subscriber = call.Request.QueryValue("subscriber");
        if (!string.IsNullOrWhiteSpace(deadline) && !string.IsNullOrWhiteSpace(subscriber))
            throw new ApiProblemException(ApiProblem.BadRequest("Give deadline or subscriber, not both.",
                [new FieldError("subscriber", subscriber, "cannot be combined with deadline; ask for one record's history at a time")]));
        var since = ApiRecords.QueryInstant(call, "since");
        var maxText = call.Request.QueryValue("max");
        var max = 500;
        if (maxText is not null && (!int.TryParse(maxText, out max) || max is < 1 or > 5000))
            throw new ApiProblemException(ApiProblem.BadRequest("max is not a count.", [new FieldError("max", maxText, "must be a whole number from 1 to 5000")]));
        var (kind, id) = !string.IsNullOrWhiteSpace(deadline) ? (AuditEntries.DeadlineKind, deadline)
            : !string.IsNullOrWhiteSpace(subscriber) ? (AuditEntries.SubscriberKind, subscriber) : ((string?)null, (string?)null);
        var entries = await audit.QueryAsync(kind, id, since, max, ct);
        return ApiResponse.Json(200, new JsonObject { ["entries"] = new JsonArray(entries.Select(e => (JsonNode)ToJson(e)).ToArray()) });
    }

    public static JsonObject ToJson(AuditEntry e) => new()
    {
        ["at"] = TimeText.Iso(e.At),
        ["actor"] = e.Actor,
        ["action"] = e.Action,
        ["recordKind"] = e.RecordKind,
        ["recordId"] = e.RecordId,
        ["summary"] = e.Summary,
        ["before"] = e.Before is null ? null : JsonNode.Parse(e.Before),
        ["after"] = e.After is null ? null : JsonNode.Parse(e.After),
    };
}

using System.Text.Json.Nodes;
using Azure;
using DeadlineAlerts.App.Records;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Records;
using NodaTime;

namespace DeadlineAlerts.App.Api;

/// <summary>
/// <c>/api/deadlines</c>: list (filters <c>category</c>, <c>status</c>, <c>dueAfter</c> ≤ due &lt;
/// <c>dueBefore</c>), create, read, replace, delete. Bodies and answers are the import format of one record;
/// every write goes through <see cref="RecordWriter"/>, so it re-arms alerts and is audited like an import.
/// </summary>
public sealed class DeadlinesModule(RecordStore records, RecordWriter writer, RecordReader reader, IClock clock) : IApiModule
{
    private const string Kind = "deadline";
    private const string Path = "/api/deadlines";

    public void Map(ApiRouteTable routes) => routes
        .Get("/api/deadlines", ApiAccess.Operator, ListAsync, query: ["category", "status", "dueBefore", "dueAfter"])
        .Post("/api/deadlines", ApiAccess.Operator, CreateAsync, body: ApiBody.Json)
        .Get("/api/deadlines/{id}", ApiAccess.Operator, GetAsync)
        .Put("/api/deadlines/{id}", ApiAccess.Operator, ReplaceAsync, body: ApiBody.Json)
        .Delete("/api/deadlines/{id}", ApiAccess.Operator, DeleteAsync);

    private async Task<ApiResponse> ListAsync(ApiCall call, CancellationToken ct)
    {
        var category = call.Request.QueryValue("category");
        var statusText = call.Request.QueryValue("status");
        DeadlineStatus? status = null;
        if (!string.IsNullOrWhiteSpace(statusText))
        {
            if (!Enum.TryParse<DeadlineStatus>(statusText, ignoreCase: true, out var s) || int.TryParse(statusText, out _))
                throw new ApiProblemException(ApiProblem.BadRequest("status is not a status.",
                    [new FieldError("status", statusText, "is not a status; use active, resolved or cancelled")]));
            status = s;
        }
        var before = ApiRecords.QueryInstant(call, "dueBefore");
        var after = ApiRecords.QueryInstant(call, "dueAfter");
        // A recurring deadline is listed, filtered and ordered by its next occurrence.
        var now = clock.GetCurrentInstant();
        static Instant Shown(Deadline d, Instant now) => (Occurrences.Next(d, now) ?? d).Due.Instant;
        var list = (await records.ListDeadlinesAsync(ct))
            .Where(d => string.IsNullOrWhiteSpace(category) || string.Equals(d.Category, category, StringComparison.OrdinalIgnoreCase))
            .Where(d => status is null || d.Status == status)
            .Select(d => (Deadline: d, Due: Shown(d, now)))
            .Where(d => before is null || d.Due < before)
            .Where(d => after is null || d.Due >= after)
            .OrderBy(d => d.Due).ThenBy(d => d.Deadline.Id)
            .Select(d => (JsonNode)Answer(d.Deadline)).ToArray();
        return ApiResponse.Json(200, new JsonObject { ["deadlines"] = new JsonArray(list) });
    }

    private async Task<ApiResponse> GetAsync(ApiCall call, CancellationToken ct)
    {
        var id = call.RouteValue("id");
        var stored = await records.GetDeadlineAsync(id, ct) ?? throw ApiRecords.NotFound(Kind, id);
        return ApiResponse.Json(200, Answer(stored.Value), ApiRecords.ToHttp(stored.ETag));
    }

    private async Task<ApiResponse> CreateAsync(ApiCall call, CancellationToken ct)
    {
        if (ApiRecords.PeekId(call) is { Length: > 0 } given && await records.GetDeadlineAsync(given, ct) is not null)
            throw ApiRecords.Exists(Kind, given, Path);
        var set = ApiRecords.Read(call, reader, clock.GetCurrentInstant(), "deadlines", routeId: null);
        var d = set.Deadlines.Single();
        if (await records.GetDeadlineAsync(d.Id, ct) is not null) throw ApiRecords.Exists(Kind, d.Id.Value, Path);
        RecordWrite<ETag> write;
        try
        {
            write = await writer.WriteAsync([new DeadlineChange(null, d, AuditAction.Created)], [], call.Caller,
                c => records.InsertDeadlineAsync(d, c), ct: ct);
        }
        catch (RequestFailedException e) when (e.Status == 409) { throw ApiRecords.Exists(Kind, d.Id.Value, Path); }
        var r = ApiResponse.Json(201, Answer(d), ApiRecords.ToHttp(write.Result));
        r.Headers["Location"] = ApiRecords.Location(call, $"{Path}/{Uri.EscapeDataString(d.Id.Value)}");
        return ApiRecords.Warn(r, set);
    }

    private async Task<ApiResponse> ReplaceAsync(ApiCall call, CancellationToken ct)
    {
        var id = call.RouteValue("id");
        var stored = await records.GetDeadlineAsync(id, ct) ?? throw ApiRecords.NotFound(Kind, id);
        var etag = ApiRecords.RequireIfMatch(call, stored.ETag, Answer(stored.Value), Kind, id);
        var set = ApiRecords.Read(call, reader, clock.GetCurrentInstant(), "deadlines", routeId: id);
        var d = RecordWriter.KeepStoredState(set.Deadlines.Single(), stored.Value);
        if (RecordWriter.Same(stored.Value, d))
            return ApiRecords.Warn(ApiResponse.Json(200, Answer(stored.Value), ApiRecords.ToHttp(stored.ETag)), set);
        try
        {
            var write = await writer.WriteAsync([new DeadlineChange(stored.Value, d, AuditAction.Updated)], [], call.Caller,
                c => records.ReplaceDeadlineAsync(d, etag, c), ct: ct);
            return ApiRecords.Warn(ApiResponse.Json(200, Answer(d), ApiRecords.ToHttp(write.Result)), set);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412) { throw await ConflictAsync(id, ct); }
    }

    private async Task<ApiResponse> DeleteAsync(ApiCall call, CancellationToken ct)
    {
        var id = call.RouteValue("id");
        var stored = await records.GetDeadlineAsync(id, ct) ?? throw ApiRecords.NotFound(Kind, id);
        var etag = ApiRecords.RequireIfMatch(call, stored.ETag, Answer(stored.Value), Kind, id);
        try
        {
            await writer.WriteAsync([new DeadlineChange(stored.Value, null, AuditAction.Deleted)], [], call.Caller,
                c => records.DeleteDeadlineAsync(id, etag, c), ct);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412) { throw await ConflictAsync(id, ct); }
        return ApiResponse.NoContent();
    }

    /// <summary>A deadline as every answer shows it: the record plus where it stands now (read-only).</summary>
    private JsonObject Answer(Deadline d) => RecordJson.Deadline(d, clock.GetCurrentInstant());

    /// <summary>The table refused a conditional write: someone changed or deleted the record since our read.</summary>
    private async Task<ApiProblemException> ConflictAsync(string id, CancellationToken ct) =>
        await records.GetDeadlineAsync(id, ct) is { } now
            ? ApiRecords.Stale(Kind, id, now.ETag, Answer(now.Value))
            : ApiRecords.NotFound(Kind, id);
}

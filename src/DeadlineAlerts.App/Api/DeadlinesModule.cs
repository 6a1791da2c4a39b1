using System.Text.Json.Nodes;
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
/// reading and writing one record is <see cref="DeadlineRecords"/>' (shared with <c>dla deadline</c>), so every write
/// re-arms alerts and is audited like an import.
/// </summary>
public sealed class DeadlinesModule(RecordStore records, DeadlineRecords deadlines, IClock clock) : IApiModule
{
    private const string Path = "/api/deadlines";

    public void Map(ApiRouteTable routes)
    {
        var one = new RecordRoutes<Deadline>(deadlines, Path, Answer, saved => Answer(saved.Record));
        routes
            .Get("/api/deadlines", ApiAccess.Operator, ListAsync, query: ["category", "status", "dueBefore", "dueAfter"])
            .Post("/api/deadlines", ApiAccess.Operator, one.CreateAsync, body: ApiBody.Json)
            .Get("/api/deadlines/{id}", ApiAccess.Operator, one.GetAsync)
            .Put("/api/deadlines/{id}", ApiAccess.Operator, one.ReplaceAsync, body: ApiBody.Json)
            .Delete("/api/deadlines/{id}", ApiAccess.Operator, one.DeleteAsync);
    }

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

    /// <summary>A deadline as every answer shows it: the record plus where it stands now (read-only).</summary>
    private JsonObject Answer(Deadline d) => RecordJson.Deadline(d, clock.GetCurrentInstant());
}

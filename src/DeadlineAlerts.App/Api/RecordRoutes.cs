using System.Text.Json.Nodes;
using DeadlineAlerts.App.Records;

namespace DeadlineAlerts.App.Api;

/// <summary>
/// The one-record routes of <c>/api/deadlines</c> and <c>/api/subscribers</c>: <c>GET</c>, <c>POST</c>, <c>PUT</c> and
/// <c>DELETE</c> through <see cref="SingleRecords{T}"/> (shared with <c>dla deadline</c>), with the HTTP on top:
/// <c>If-Match</c> (428 without it, checked before the body is read), the ETag header, <c>Location</c>, reader warnings
/// in a header, and refusals as problem details (<see cref="ApiRecords.AnswerAsync{T}"/>).
/// </summary>
/// <param name="answer">A stored record as the answers show it.</param>
/// <param name="saved">A record just stored as the answer shows it (a subscriber's adds the secrets generated for it).</param>
public sealed class RecordRoutes<T>(SingleRecords<T> records, string path, Func<T, JsonObject> answer, Func<SavedRecord<T>, JsonObject> saved)
    where T : class
{
    public Task<ApiResponse> GetAsync(ApiCall call, CancellationToken ct) => AnsweringAsync(async () =>
    {
        var stored = await records.ReadAsync(call.RouteValue("id"), ct);
        return ApiResponse.Json(200, answer(stored.Value), ApiRecords.ToHttp(stored.ETag));
    });

    public Task<ApiResponse> CreateAsync(ApiCall call, CancellationToken ct) => AnsweringAsync(async () =>
    {
        var added = await records.AddAsync(ApiRecords.Body(call), id: null, call.Caller, ct);
        var r = ApiResponse.Json(201, saved(added), ApiRecords.ToHttp(added.ETag));
        r.Headers["Location"] = ApiRecords.Location(call, $"{path}/{Uri.EscapeDataString(records.IdOf(added.Record))}");
        return ApiRecords.Warn(r, added.Warnings);
    });

    public Task<ApiResponse> ReplaceAsync(ApiCall call, CancellationToken ct) => AnsweringAsync(async () =>
    {
        var stored = await records.ReadAsync(call.RouteValue("id"), ct);
        var etag = ApiRecords.RequireIfMatch(call, stored.ETag, answer(stored.Value), records.Kind, records.IdOf(stored.Value));
        var replaced = await records.ReplaceAsync(stored, ApiRecords.Body(call), etag, call.Caller, ct);
        return ApiRecords.Warn(ApiResponse.Json(200, saved(replaced), ApiRecords.ToHttp(replaced.ETag)), replaced.Warnings);
    });

    public Task<ApiResponse> DeleteAsync(ApiCall call, CancellationToken ct) => AnsweringAsync(async () =>
    {
        var stored = await records.ReadAsync(call.RouteValue("id"), ct);
        var etag = ApiRecords.RequireIfMatch(call, stored.ETag, answer(stored.Value), records.Kind, records.IdOf(stored.Value));
        await records.DeleteAsync(stored, etag, call.Caller, ct);
        return ApiResponse.NoContent();
    });

    private Task<ApiResponse> AnsweringAsync(Func<Task<ApiResponse>> operation) => ApiRecords.AnswerAsync(records.Kind, path, answer, operation);
}

using System.Text.Json.Nodes;
using Azure;
using DeadlineAlerts.App.Records;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Records;
using NodaTime;

namespace DeadlineAlerts.App.Api;

/// <summary>
/// <c>/api/subscribers</c>: list (filter <c>category</c>), create, read, replace, delete. Channel targets are
/// secrets: answers carry them redacted with each channel's <c>id</c>, and a PUT that sends a channel back
/// that way keeps the stored target and secret (see <see cref="RecordReader.ReadJson"/>), so a client can
/// GET, edit the name and PUT the record back. A webhook channel sent without a secret gets one generated,
/// shown in <c>generatedSecrets</c> of that one answer and never again.
/// </summary>
public sealed class SubscribersModule(RecordStore records, RecordWriter writer, RecordReader reader, IClock clock) : IApiModule
{
    private const string Kind = "subscriber";
    private const string Path = "/api/subscribers";

    public void Map(ApiRouteTable routes) => routes
        .Get("/api/subscribers", ApiAccess.Operator, ListAsync, query: ["category"])
        .Post("/api/subscribers", ApiAccess.Operator, CreateAsync, body: ApiBody.Json)
        .Get("/api/subscribers/{id}", ApiAccess.Operator, GetAsync)
        .Put("/api/subscribers/{id}", ApiAccess.Operator, ReplaceAsync, body: ApiBody.Json)
        .Delete("/api/subscribers/{id}", ApiAccess.Operator, DeleteAsync);

    private static JsonObject Json(Subscriber s) => RecordJson.Subscriber(s, includeSecrets: false);

    private async Task<ApiResponse> ListAsync(ApiCall call, CancellationToken ct)
    {
        var category = call.Request.QueryValue("category");
        var list = (await records.ListSubscribersAsync(ct))
            .Where(s => string.IsNullOrWhiteSpace(category) || s.Categories.Contains(category, StringComparer.OrdinalIgnoreCase))
            .OrderBy(s => s.Id)
            .Select(s => (JsonNode)Json(s)).ToArray();
        return ApiResponse.Json(200, new JsonObject { ["subscribers"] = new JsonArray(list) });
    }

    private async Task<ApiResponse> GetAsync(ApiCall call, CancellationToken ct)
    {
        var id = call.RouteValue("id");
        var stored = await records.GetSubscriberAsync(id, ct) ?? throw ApiRecords.NotFound(Kind, id);
        return ApiResponse.Json(200, Json(stored.Value), ApiRecords.ToHttp(stored.ETag));
    }

    private async Task<ApiResponse> CreateAsync(ApiCall call, CancellationToken ct)
    {
        if (ApiRecords.PeekId(call) is { Length: > 0 } given && await records.GetSubscriberAsync(given, ct) is not null)
            throw ApiRecords.Exists(Kind, given, Path);
        var set = ApiRecords.Read(call, reader, clock.GetCurrentInstant(), "subscribers", routeId: null);
        var s = set.Subscribers.Single();
        if (await records.GetSubscriberAsync(s.Id, ct) is not null) throw ApiRecords.Exists(Kind, s.Id.Value, Path);
        RecordWrite<ETag> write;
        try
        {
            write = await writer.WriteAsync([], [new SubscriberChange(null, s, AuditAction.Created)], call.Caller,
                c => records.InsertSubscriberAsync(s, c), ct: ct);
        }
        catch (RequestFailedException e) when (e.Status == 409) { throw ApiRecords.Exists(Kind, s.Id.Value, Path); }
        var r = ApiResponse.Json(201, WithSecrets(Json(s), set.GeneratedSecrets), ApiRecords.ToHttp(write.Result));
        r.Headers["Location"] = ApiRecords.Location(call, $"{Path}/{Uri.EscapeDataString(s.Id.Value)}");
        return ApiRecords.Warn(r, set);
    }

    private async Task<ApiResponse> ReplaceAsync(ApiCall call, CancellationToken ct)
    {
        var id = call.RouteValue("id");
        var stored = await records.GetSubscriberAsync(id, ct) ?? throw ApiRecords.NotFound(Kind, id);
        var etag = ApiRecords.RequireIfMatch(call, stored.ETag, Json(stored.Value), Kind, id);
        var set = ApiRecords.Read(call, reader, clock.GetCurrentInstant(), "subscribers", routeId: id,
            storedSubscriber: sid => sid == id ? stored.Value : null);
        var generated = set.GeneratedSecrets.ToList();
        var s = RecordWriter.KeepStoredState(set.Subscribers.Single(), stored.Value, generated);
        if (RecordWriter.Same(stored.Value, s))
            return ApiRecords.Warn(ApiResponse.Json(200, Json(stored.Value), ApiRecords.ToHttp(stored.ETag)), set);
        try
        {
            var write = await writer.WriteAsync([], [new SubscriberChange(stored.Value, s, AuditAction.Updated)], call.Caller,
                c => records.ReplaceSubscriberAsync(s, etag, c), ct: ct);
            return ApiRecords.Warn(ApiResponse.Json(200, WithSecrets(Json(s), generated), ApiRecords.ToHttp(write.Result)), set);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412) { throw await ConflictAsync(id, ct); }
    }

    private async Task<ApiResponse> DeleteAsync(ApiCall call, CancellationToken ct)
    {
        var id = call.RouteValue("id");
        var stored = await records.GetSubscriberAsync(id, ct) ?? throw ApiRecords.NotFound(Kind, id);
        var etag = ApiRecords.RequireIfMatch(call, stored.ETag, Json(stored.Value), Kind, id);
        try
        {
            await writer.WriteAsync([], [new SubscriberChange(stored.Value, null, AuditAction.Deleted)], call.Caller,
                c => records.DeleteSubscriberAsync(id, etag, c), ct);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412) { throw await ConflictAsync(id, ct); }
        return ApiResponse.NoContent();
    }

    private static JsonObject WithSecrets(JsonObject record, IReadOnlyCollection<(SubscriberId SubscriberId, ChannelId ChannelId, string Secret)> generated)
    {
        if (generated.Count > 0) record["generatedSecrets"] = ApiRecords.GeneratedSecrets(generated);
        return record;
    }

    private async Task<ApiProblemException> ConflictAsync(string id, CancellationToken ct) =>
        await records.GetSubscriberAsync(id, ct) is { } now
            ? ApiRecords.Stale(Kind, id, now.ETag, Json(now.Value))
            : ApiRecords.NotFound(Kind, id);
}

using System.Text.Json.Nodes;
using DeadlineAlerts.App.Records;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Storage.Records;

namespace DeadlineAlerts.App.Api;

/// <summary>
/// <c>/api/subscribers</c>: list (filter <c>category</c>), create, read, replace, delete. Channel targets are
/// secrets: answers carry them redacted with each channel's <c>id</c>, and a PUT that sends a channel back
/// that way keeps the stored target and secret (see <see cref="RecordReader.ReadJson"/>), so a client can
/// GET, edit the name and PUT the record back. A webhook channel sent without a secret gets one generated,
/// shown in <c>generatedSecrets</c> of that one answer and never again. Reading and writing one record is
/// <see cref="SubscriberRecords"/>' (shared with <c>dla subscriber</c>).
/// </summary>
public sealed class SubscribersModule(RecordStore records, SubscriberRecords subscribers) : IApiModule
{
    private const string Path = "/api/subscribers";

    public void Map(ApiRouteTable routes)
    {
        var one = new RecordRoutes<Subscriber>(subscribers, Path, Json, saved => WithSecrets(Json(saved.Record), saved.GeneratedSecrets));
        routes
            .Get("/api/subscribers", ApiAccess.Operator, ListAsync, query: ["category"])
            .Post("/api/subscribers", ApiAccess.Operator, one.CreateAsync, body: ApiBody.Json)
            .Get("/api/subscribers/{id}", ApiAccess.Operator, one.GetAsync)
            .Put("/api/subscribers/{id}", ApiAccess.Operator, one.ReplaceAsync, body: ApiBody.Json)
            .Delete("/api/subscribers/{id}", ApiAccess.Operator, one.DeleteAsync);
    }

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

    private static JsonObject WithSecrets(JsonObject record, IReadOnlyCollection<(SubscriberId SubscriberId, ChannelId ChannelId, string Secret)> generated)
    {
        if (generated.Count > 0) record["generatedSecrets"] = ApiRecords.GeneratedSecrets(generated);
        return record;
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Storage.Records;
using NodaTime;

namespace DeadlineAlerts.App.Acknowledge;

/// <summary>
/// The operator's side of a subscriber's say:
/// <list type="bullet">
/// <item><c>POST /api/subscribers/{id}/pause</c> <c>{"until": "2025-08-20T09:00:00+08:00"}</c>: pause until that
/// instant; <c>DELETE /api/subscribers/{id}/pause</c>: lift it. Both are writes of the subscriber record: If-Match
/// is required (428 without, 412 when stale, as PUT), the schedule is re-planned and the audit log says who did it.
/// Answer: the subscriber with its new ETag.</item>
/// <item><c>POST /api/subscribers/{id}/acknowledge</c> <c>{"deadline": "id"}</c>: Got it on the subscriber's behalf for
/// the deadline's current due instant (what the message link does for the instant it was sent for).</item>
/// </list>
/// </summary>
public sealed class SubscriberControlModule(RecordStore records, PauseService pause, AcknowledgeService acknowledge) : IApiModule
{
    private const string Kind = "subscriber";

    public void Map(ApiRouteTable routes) => routes
        .Post("/api/subscribers/{id}/pause", ApiAccess.Operator, PauseAsync, body: ApiBody.Json)
        .Delete("/api/subscribers/{id}/pause", ApiAccess.Operator, ResumeAsync)
        .Post("/api/subscribers/{id}/acknowledge", ApiAccess.Operator, AcknowledgeAsync, body: ApiBody.Json);

    private static JsonObject Json(Subscriber s) => RecordJson.Subscriber(s, includeSecrets: false);

    private async Task<ApiResponse> PauseAsync(ApiCall call, CancellationToken ct)
    {
        var until = Text(Body(call, "{\"until\":\"2025-08-20T09:00:00Z\"}"), "until")
                    ?? throw Bad("until", null, "is missing; give the instant the pause ends with Z (UTC) or its offset, such as \"2025-08-20T09:00:00Z\"");
        var untilAt = RecordReader.ParseInstantWithOffset(until, "the instant the pause ends", out var problem) ?? throw Bad("until", until, problem!);
        return await WriteAsync(call, untilAt, until, ct);
    }

    private Task<ApiResponse> ResumeAsync(ApiCall call, CancellationToken ct) => WriteAsync(call, null, null, ct);

    private async Task<ApiResponse> WriteAsync(ApiCall call, Instant? until, string? untilText, CancellationToken ct)
    {
        var id = call.RouteValue("id");
        var stored = await records.GetSubscriberAsync(id, ct) ?? throw ApiRecords.NotFound(Kind, id);
        var etag = ApiRecords.RequireIfMatch(call, stored.ETag, Json(stored.Value), Kind, id);
        try
        {
            var written = await pause.SetAsync(stored, until, call.Caller, etag, ct);
            return ApiResponse.Json(200, Json(written.Value), ApiRecords.ToHttp(written.ETag));
        }
        catch (ArgumentOutOfRangeException) { throw Bad("until", untilText, PauseService.NotInFuture); }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            throw await records.GetSubscriberAsync(id, ct) is { } current
                ? ApiRecords.Stale(Kind, id, current.ETag, Json(current.Value))
                : ApiRecords.NotFound(Kind, id);
        }
    }

    private async Task<ApiResponse> AcknowledgeAsync(ApiCall call, CancellationToken ct)
    {
        var id = call.RouteValue("id");
        var deadline = Text(Body(call, "{\"deadline\":\"us-china-tariff-truce\"}"), "deadline")
                       ?? throw Bad("deadline", null, "is missing; give the id of the deadline to acknowledge");
        if (await records.GetSubscriberAsync(id, ct) is null) throw ApiRecords.NotFound(Kind, id);
        if (await records.GetDeadlineAsync(deadline, ct) is null) throw ApiRecords.NotFound("deadline", deadline);
        var target = await acknowledge.AcknowledgeAsync(id, deadline, dueAt: null, call.Caller, ct);
        if (target.State == AcknowledgeState.Nothing)
            throw new ApiProblemException(new ApiProblem
            {
                Title = "Nothing to acknowledge",
                Status = 409,
                Detail = $"deadline {deadline} is resolved or cancelled, or subscriber {id} does not follow it: it has no alerts for {id} to stop",
            });
        return ApiResponse.Json(200, new JsonObject
        {
            ["subscriber"] = id,
            ["deadline"] = deadline,
            ["dueAt"] = TimeText.Iso(target.DueAt),
            // false: it had been said already for this due instant (nothing changed).
            ["acknowledged"] = target.State == AcknowledgeState.Ready,
        });
    }

    private static ApiProblemException Bad(string field, string? value, string message) =>
        new(ApiProblem.BadRequest($"\"{field}\" {message}.", [new FieldError(field, value, message)]));

    private static JsonElement Body(ApiCall call, string example)
    {
        var text = call.Request.BodyText;
        if (!string.IsNullOrWhiteSpace(text))
        {
            try
            {
                var root = JsonDocument.Parse(text).RootElement;
                if (root.ValueKind == JsonValueKind.Object) return root;
            }
            catch (JsonException) { }
        }
        throw new ApiProblemException(ApiProblem.BadRequest($"The body must be a JSON object such as {example}."));
    }

    private static string? Text(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.String) return v.GetString();
        throw Bad(name, v.GetRawText(), "must be a JSON string");
    }
}

using System.Text.Json;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.Core.Records;
using NodaTime;

namespace DeadlineAlerts.App.Milestones;

/// <summary>
/// <c>POST /api/deadlines/{id}/extend</c> (<c>{"to":"2025-11-10T00:01","timeZone"?:"…","reason"?:"…"}</c>),
/// <c>/resolve</c> and <c>/cancel</c> (<c>{"reason"?:"…","series"?:true}</c>: for a recurring deadline, without
/// <c>series</c> they act on its next occurrence, and an extension always moves the next occurrence only). If-Match is optional here (a milestone is a
/// deliberate action on the current record) but honoured: a stale one gets 412 with the current record.
/// Answers 200 with the deadline (import format, with its history) and its ETag, whether or not the
/// request changed anything, so repeating it is safe.
/// </summary>
public sealed class MilestonesModule(MilestoneService milestones, IClock clock) : IApiModule
{
    public void Map(ApiRouteTable routes)
    {
        routes.Post("/api/deadlines/{id}/extend", ApiAccess.Operator, async (call, ct) =>
        {
            var body = Body(call);
            return await RunAsync(call, () => milestones.ExtendAsync(call.RouteValue("id"), Text(body, "to"), Text(body, "timeZone"), Text(body, "reason"),
                call.Caller, ApiETag.Parse(call.Request.Header("If-Match")), ct));
        }, body: ApiBody.Json);
        routes.Post("/api/deadlines/{id}/resolve", ApiAccess.Operator, async (call, ct) =>
        {
            var body = Body(call);
            return await RunAsync(call, () => milestones.ResolveAsync(call.RouteValue("id"), Text(body, "reason"), call.Caller,
                ApiETag.Parse(call.Request.Header("If-Match")), Flag(body, "series"), ct));
        }, body: ApiBody.Json);
        routes.Post("/api/deadlines/{id}/cancel", ApiAccess.Operator, async (call, ct) =>
        {
            var body = Body(call);
            return await RunAsync(call, () => milestones.CancelAsync(call.RouteValue("id"), Text(body, "reason"), call.Caller,
                ApiETag.Parse(call.Request.Header("If-Match")), Flag(body, "series"), ct));
        }, body: ApiBody.Json);
    }

    private async Task<ApiResponse> RunAsync(ApiCall call, Func<Task<MilestoneResult>> action)
    {
        try
        {
            var result = await action();
            var json = RecordJson.Deadline(result.Deadline.Value, clock.GetCurrentInstant());
            if (result.Warning is not null) json["warning"] = result.Warning;
            return ApiResponse.Json(200, json, ApiETag.Format(result.Deadline.ETag));
        }
        catch (MilestoneException e)
        {
            var current = e.Current is { } c ? RecordJson.Deadline(c.Value, clock.GetCurrentInstant()) : null;
            throw new ApiProblemException(e.Failure switch
            {
                MilestoneFailure.NotFound => ApiProblem.NotFound(e.Message),
                MilestoneFailure.BadRequest => ApiProblem.BadRequest(e.Message, [new FieldError(e.Field ?? "", e.Value, e.Message)]),
                MilestoneFailure.Stale => new ApiProblem
                {
                    Title = "The deadline has changed",
                    Status = 412,
                    Detail = e.Message,
                    Current = current,
                    ExtraHeaders = e.Current is { } s ? new Dictionary<string, string> { ["ETag"] = ApiETag.Format(s.ETag) } : new Dictionary<string, string>(),
                },
                _ => new ApiProblem { Title = "Conflict", Status = 409, Detail = e.Message, Current = current },
            });
        }
    }

    /// <summary>The JSON object body; an empty body is an empty object (resolve and cancel need nothing).</summary>
    private static JsonElement Body(ApiCall call)
    {
        var text = call.Request.BodyText;
        if (string.IsNullOrWhiteSpace(text)) return JsonDocument.Parse("{}").RootElement;
        try
        {
            var root = JsonDocument.Parse(text).RootElement;
            if (root.ValueKind == JsonValueKind.Object) return root;
        }
        catch (JsonException) { }
        throw new ApiProblemException(ApiProblem.BadRequest("The body must be a JSON object such as {\"to\":\"2025-11-10T00:01\",\"reason\":\"...\"}."));
    }

    private static bool Flag(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return false;
        if (v.ValueKind is JsonValueKind.True or JsonValueKind.False) return v.GetBoolean();
        throw new ApiProblemException(ApiProblem.BadRequest($"\"{name}\" must be true or false.",
            [new FieldError(name, v.GetRawText(), "a JSON boolean")]));
    }

    private static string? Text(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.String) return v.GetString();
        throw new ApiProblemException(ApiProblem.BadRequest($"\"{name}\" must be a string.",
            [new FieldError(name, v.GetRawText(), "a JSON string")]));
    }
}

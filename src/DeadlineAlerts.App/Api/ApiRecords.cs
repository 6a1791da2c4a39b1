using System.Text.Json.Nodes;
using Azure;
using DeadlineAlerts.App.Records;
using DeadlineAlerts.Core.Records;
using NodaTime;
using NodaTime.Text;

namespace DeadlineAlerts.App.Api;

/// <summary>
/// What the deadline and subscriber routes share: the body as text, HTTP ETags and If-Match, and the problem
/// bodies of 400, 404, 409, 412 and 428 (the refusals of <see cref="SingleRecords{T}"/>, which reads and writes the record).
/// </summary>
public static class ApiRecords
{
    /// <summary>The HTTP ETag of a stored record (see <see cref="ApiETag"/>, shared with the milestone routes).</summary>
    public static string ToHttp(ETag etag) => ApiETag.Format(etag);

    /// <summary>
    /// The <c>If-Match</c> that a PUT or DELETE must carry (428 without it), checked against the stored
    /// record's ETag (412 with the current record when it is stale). Returns the table ETag to make the write
    /// conditional on, so a change between this check and the write is refused by the table as well.
    /// </summary>
    public static ETag RequireIfMatch(ApiCall call, ETag current, JsonObject currentRecord, string kind, string id)
    {
        var header = call.Request.Header("If-Match");
        if (string.IsNullOrWhiteSpace(header))
            throw new ApiProblemException(new ApiProblem
            {
                Title = "Precondition required",
                Status = 428,
                Detail = $"{call.Request.Method.ToUpperInvariant()} of {kind} {id} needs an If-Match header with the ETag from your last GET, so that a change made since is not overwritten.",
            });
        foreach (var tag in header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (ApiETag.Parse(tag) is { } etag && (etag == ETag.All || etag == current)) return current;
        throw Stale(kind, id, current, currentRecord);
    }

    public static ApiProblemException Stale(string kind, string id, ETag current, JsonObject currentRecord) => new(new ApiProblem
    {
        Title = "The record has changed",
        Status = 412,
        Detail = $"{kind} {id} was changed since your If-Match ETag was issued; nothing was written. \"current\" is the record as stored now: merge your change into it and send it again with the new ETag.",
        Current = currentRecord,
        ExtraHeaders = new Dictionary<string, string> { ["ETag"] = ToHttp(current) },
    });

    public static ApiProblemException NotFound(string kind, string id) =>
        new(ApiProblem.NotFound($"There is no {kind} with id \"{id}\"."));

    public static ApiProblemException Exists(string kind, string id, string path) => new(new ApiProblem
    {
        Title = "The record exists",
        Status = 409,
        Detail = $"A {kind} with id \"{id}\" exists; nothing was written. To change it, GET {path}/{id} and PUT it back with If-Match.",
    });

    /// <summary>
    /// A POST or PUT body as text for <see cref="SingleRecords{T}"/>, which reads it as one record of the import
    /// format, so the API accepts exactly what a file accepts. Invalid UTF-8 is refused with its byte offset.
    /// </summary>
    public static string Body(ApiCall call) => TextRules.DecodeUtf8(call.Request.Body.Span, "body");

    /// <summary>
    /// Runs one record's operation (<see cref="RecordRoutes{T}"/>) and answers its refusals as the API does: 400 naming each field, 404, 409, and
    /// 412 with the record as stored now (shown by <paramref name="answer"/>) and its ETag.
    /// </summary>
    public static async Task<ApiResponse> AnswerAsync<T>(string kind, string path, Func<T, JsonObject> answer, Func<Task<ApiResponse>> operation)
    {
        try { return await operation(); }
        catch (RecordValidationException e) { throw new ApiProblemException(Invalid(e, kind)); }
        catch (RecordNotFoundException e) { throw NotFound(e.Kind, e.Id); }
        catch (RecordExistsException e) { throw Exists(e.Kind, e.Id, path); }
        catch (RecordChangedException<T> e) { throw Stale(e.Kind, e.Id, e.Current.ETag, answer(e.Current.Value)); }
    }

    /// <summary>A 400 naming the record in its detail and each refused field, with its limit or rule, in <c>errors</c>.</summary>
    public static ApiProblem Invalid(RecordValidationException e, string fallbackName)
    {
        var errors = e.Problems.Select(p => new FieldError(p.Field, p.Value, p.Message)).ToList();
        var name = e.Problems.Select(p => p.Record).FirstOrDefault(r => !r.Contains('#') && r != "file") ?? fallbackName;
        return ApiProblem.BadRequest($"{name}: {errors.Count} problem(s); nothing was written.", errors);
    }

    public static Instant? QueryInstant(ApiCall call, string name)
    {
        var text = call.Request.QueryValue(name);
        if (string.IsNullOrWhiteSpace(text)) return null;
        var r = InstantPattern.ExtendedIso.Parse(text.Trim());
        if (r.Success) return r.Value;
        var odt = OffsetDateTimePattern.ExtendedIso.Parse(text.Trim());
        if (odt.Success) return odt.Value.ToInstant();
        throw new ApiProblemException(ApiProblem.BadRequest($"{name} is not an instant.",
            [new FieldError(name, text, "is not an ISO 8601 instant; give one such as 2025-08-12T04:01:00Z or 2025-08-12T00:01-04:00")]));
    }

    public static string Location(ApiCall call, string path) =>
        call.Request.BaseUri is { } b ? new Uri(b, path).ToString() : path;

    /// <summary>Webhook secrets generated for channels sent without one: shown in this response only.</summary>
    public static JsonArray GeneratedSecrets(IEnumerable<(SubscriberId SubscriberId, ChannelId ChannelId, string Secret)> generated) =>
        new(generated.Select(g => (JsonNode)new JsonObject { ["channel"] = g.ChannelId.Value, ["secret"] = g.Secret }).ToArray());

    /// <summary>Reader warnings (a due time in a DST gap moved forward) go back in a <c>DeadlineAlerts-Warning</c>
    /// header, since the body is the record itself.</summary>
    public static ApiResponse Warn(ApiResponse r, IReadOnlyList<string> warnings)
    {
        if (warnings.Count > 0) r.Headers["DeadlineAlerts-Warning"] = string.Join("; ", warnings).ReplaceLineEndings(" ");
        return r;
    }
}

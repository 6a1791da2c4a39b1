using System.Text.Json.Nodes;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Storage.Audit;
using NodaTime;

namespace DeadlineAlerts.App.Records;

/// <summary>
/// Audit entries for record changes: before and after as import-format JSON with secrets redacted, and a
/// one-line summary of the fields that changed, so <c>dla audit</c> reads without opening the JSON.
/// </summary>
public static class AuditEntries
{
    public const string DeadlineKind = "deadline";
    public const string SubscriberKind = "subscriber";

    public static AuditEntry For(Instant at, string actor, string action, string kind, string id, JsonObject? before, JsonObject? after) => new()
    {
        At = at,
        Actor = actor,
        Action = action,
        RecordKind = kind,
        RecordId = id,
        Summary = Summary(before, after),
        Before = before is null ? null : before.ToJsonString(StoredJson),
        After = after is null ? null : after.ToJsonString(StoredJson),
    };

    /// <summary>Non-ASCII text as it is (<see cref="RecordJson.Readable"/>): the audit table holds the record twice in one row.</summary>
    private static readonly System.Text.Json.JsonSerializerOptions StoredJson = RecordJson.Readable;

    public static AuditEntry For(Instant at, string actor, string action, Deadline? before, Deadline? after) =>
        For(at, actor, action, DeadlineKind, (after ?? before)!.Id.Value,
            before is null ? null : RecordJson.Deadline(before), after is null ? null : RecordJson.Deadline(after));

    public static AuditEntry For(Instant at, string actor, string action, Subscriber? before, Subscriber? after) =>
        For(at, actor, action, SubscriberKind, (after ?? before)!.Id.Value,
            before is null ? null : RecordJson.Subscriber(before, includeSecrets: false), after is null ? null : RecordJson.Subscriber(after, includeSecrets: false));

    /// <summary>
    /// <c>title: 'X' → 'Y'; due: '2025-08-12T00:01' → '2025-11-10T00:01'</c>. A created record lists what it
    /// was created with and a deleted one what it had, so the summary alone says what happened. Channels are
    /// compared in their redacted form: a rotated secret shows as no change in the summary (it is one in the
    /// record), which is the price of never writing secrets into the audit table.
    /// </summary>
    public static string Summary(JsonObject? before, JsonObject? after)
    {
        if (before is null && after is null) return "";
        if (before is null) return "created: " + string.Join("; ", after!.Where(kv => kv.Key != "id").Select(kv => $"{kv.Key} {Show(kv.Value)}"));
        if (after is null) return "deleted: " + string.Join("; ", before.Where(kv => kv.Key != "id").Select(kv => $"{kv.Key} {Show(kv.Value)}"));
        var changes = before.Select(kv => kv.Key).Union(after.Select(kv => kv.Key))
            .Where(k => !JsonNode.DeepEquals(before[k], after[k]))
            .Select(k => $"{k}: {Show(before[k])} → {Show(after[k])}")
            .ToList();
        return changes.Count == 0 ? "no change" : string.Join("; ", changes);
    }

    /// <summary>A value as the one-line summary shows it: a long one (notes of thousands of characters) is cut, with its length.</summary>
    private static string Show(JsonNode? value) => value switch
    {
        null => "(none)",
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length > SummaryValueChars ? $"'{s[..SummaryValueChars]}…' ({s.Length:N0} characters)" : $"'{s}'",
        _ => value.ToJsonString() is var json && json.Length > SummaryValueChars ? json[..SummaryValueChars] + $"… ({json.Length:N0} characters)" : value.ToJsonString(),
    };

    private const int SummaryValueChars = 200;
}

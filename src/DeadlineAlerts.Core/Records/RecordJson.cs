using System.Text.Json;
using System.Text.Json.Nodes;
using NodaTime;

namespace DeadlineAlerts.Core.Records;

/// <summary>
/// Records written back in the import format (README "Import format"), the inverse of
/// <see cref="RecordReader"/>: what the API returns, what the audit log stores and what export writes.
/// Channel targets carry tokens, so they are redacted unless the caller asks for secrets (only export to
/// a file does, so that an export can be imported again); a redacted channel carries its <c>id</c>, by
/// which an API client can keep it when it sends the record back.
/// </summary>
public static class RecordJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>
    /// As <see cref="Options"/>, but non-ASCII text is kept as it is instead of <c>\uXXXX</c>, so a title in Chinese
    /// reads (and is edited) as Chinese and takes one character, not six. Control characters are still escaped.
    /// For text a person reads or edits (<c>dla deadline show</c>, <c>edit</c>) and for the audit table, which holds
    /// a record twice in one row.
    /// </summary>
    public static readonly JsonSerializerOptions Readable = new(Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static JsonObject Deadline(Deadline d)
    {
        var o = new JsonObject
        {
            ["id"] = d.Id.Value,
            ["title"] = d.Title,
            ["due"] = d.Due.ExportText,
            ["timeZone"] = d.Due.Zone.Id,
        };
        if (d.Category is not null) o["category"] = d.Category;
        if (d.LeadTimes.Count > 0) o["leadTimes"] = new JsonArray(d.LeadTimes.Select(l => (JsonNode)l.Text).ToArray());
        if (d.Source is not null) o["source"] = d.Source;
        if (d.Notes is not null) o["notes"] = d.Notes;
        o["status"] = d.Status.ToString().ToLowerInvariant();
        if (d.Recurrence is { } rule) o["recurrence"] = rule.Text;
        // Read-only: the server writes history; an import accepts the field and ignores it.
        if (d.History.Count > 0) o["history"] = new JsonArray(d.History.Select(h => (JsonNode)h.ToJson()).ToArray());
        return o;
    }

    /// <summary>
    /// The record plus read-only facts for people reading a list at <paramref name="now"/>: the due instant and
    /// where the deadline stands ("3 days, 2 hours left", "overdue by 2 days", "resolved"). Import ignores them,
    /// so an answer can be edited and sent back.
    /// </summary>
    public static JsonObject Deadline(Deadline d, Instant now)
    {
        var o = Deadline(d);
        // A recurring deadline stands where its next occurrence does; when the series has ended, where its first did.
        var shown = Schedule.Occurrences.Next(d, now) ?? d;
        if (d.Recurrence is not null && !ReferenceEquals(shown, d))
            o["nextOccurrence"] = new JsonObject
            {
                ["due"] = shown.Due.ExportText,
                ["dueInstant"] = NodaTime.Text.InstantPattern.ExtendedIso.Format(shown.Due.Instant),
            };
        o["dueInstant"] = NodaTime.Text.InstantPattern.ExtendedIso.Format(shown.Due.Instant);
        o["standing"] = Rendering.Countdown.Standing(shown, now);
        o["overdue"] = Rendering.Countdown.IsOverdue(shown, now);
        return o;
    }

    public static JsonObject Subscriber(Subscriber s, bool includeSecrets)
    {
        var o = new JsonObject { ["id"] = s.Id.Value, ["name"] = s.Name };
        if (s.TimeZone is not null) o["timeZone"] = s.TimeZone.Id;
        if (s.Locale is not null) o["locale"] = s.Locale.Name;
        if (s.Categories.Count > 0) o["categories"] = new JsonArray(s.Categories.Select(c => (JsonNode)c).ToArray());
        if (s.DeadlineIds.Count > 0) o["deadlines"] = new JsonArray(s.DeadlineIds.Select(c => (JsonNode)c.Value).ToArray());
        if (s.LeadTimes.Count > 0) o["leadTimes"] = new JsonArray(s.LeadTimes.Select(l => (JsonNode)l.Text).ToArray());
        o["channels"] = new JsonArray(s.Channels.Select(c => (JsonNode)Channel(c, includeSecrets)).ToArray());
        if (s.QuietHours is { } q) o["quietHours"] = new JsonObject { ["from"] = q.FromText, ["to"] = q.ToText, ["urgent"] = q.UrgentPassesThrough };
        if (s.PausedUntil is { } pausedUntil) o["pausedUntil"] = NodaTime.Text.InstantPattern.ExtendedIso.Format(pausedUntil);
        if (s.Digest is { } digest)
        {
            var d = new JsonObject { ["every"] = digest.EveryText };
            if (digest.OnText is { } on) d["on"] = on;
            d["at"] = digest.AtText;
            o["digest"] = d;
        }
        return o;
    }

    public static JsonObject Channel(ChannelSpec c, bool includeSecrets)
    {
        var o = new JsonObject { ["type"] = c.Type };
        if (c.Type == ChannelSpec.Email) o["address"] = c.Target;
        else o["url"] = includeSecrets ? c.Target : c.Redacted;
        if (includeSecrets && c.Secret is not null) o["secret"] = c.Secret;
        if (!includeSecrets) o["id"] = c.Id.Value;
        if (!includeSecrets && c.BrokenReason is not null) o["broken"] = c.BrokenReason;
        return o;
    }

    public static string Text(JsonNode node) => node.ToJsonString(Options);

    /// <summary>As <see cref="Text"/>, with non-ASCII text as it is (<see cref="Readable"/>).</summary>
    public static string ReadableText(JsonNode node) => node.ToJsonString(Readable);
}

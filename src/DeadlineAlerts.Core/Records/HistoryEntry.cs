using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Core.Time;
using NodaTime;
using NodaTime.Text;

namespace DeadlineAlerts.Core.Records;

/// <summary>
/// One entry of a deadline's history: what an operator changed (<see cref="ChangeKind"/>), when, who, and
/// the due time before and after. History is server-owned: import and PUT never write it, only the
/// milestone commands (extend, resolve, cancel) append to it. For a resolve or cancel <see cref="OldDue"/>
/// and <see cref="NewDue"/> are the same.
/// </summary>
public sealed record HistoryEntry
{
    public required string Id { get; init; }
    public required Instant At { get; init; }
    public required string By { get; init; }
    public required string Kind { get; init; }
    public required DueTime OldDue { get; init; }
    public required DueTime NewDue { get; init; }
    public string? Reason { get; init; }

    /// <summary>
    /// For a change to one occurrence of a recurring deadline: the instant the rule gives that occurrence (its
    /// RECURRENCE-ID). A resolved or cancelled occurrence is left out of the series (EXDATE), an extended or moved
    /// one is due at <see cref="NewDue"/>. Null for a change to the whole deadline (or series).
    /// </summary>
    public Instant? Occurrence { get; init; }

    /// <summary>
    /// Deterministic: the deadline, the entry's position in its history, the kind and the new due instant.
    /// The position makes "extend to B, back to A, to B again" three changes, each notified once.
    /// </summary>
    public static string IdFor(DeadlineId deadlineId, int position, string kind, Instant newDue)
    {
        var key = $"{deadlineId}\n{position}\n{kind}\n{InstantPattern.ExtendedIso.Format(newDue)}";
        return "ch_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)), 0, 12);
    }

    /// <summary>The id of the notice that tells <paramref name="subscriberId"/> about this change (one per change and subscriber).</summary>
    public MessageId NoticeIdFor(DeadlineId deadlineId, SubscriberId subscriberId)
    {
        var key = $"notice\n{deadlineId}\n{Id}\n{subscriberId}";
        return new MessageId("nt_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)), 0, 16));
    }

    /// <summary>
    /// The entry as RecordJson writes it and the record store keeps it: both due times with local text,
    /// zone and instant, so the history reads the same after the zone's rules change.
    /// </summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["id"] = Id,
            ["at"] = InstantPattern.ExtendedIso.Format(At),
            ["by"] = By,
            ["change"] = Kind,
            ["from"] = Due(OldDue),
            ["to"] = Due(NewDue),
        };
        if (Reason is not null) o["reason"] = Reason;
        if (Occurrence is { } occurrence) o["occurrence"] = InstantPattern.ExtendedIso.Format(occurrence);
        return o;

        static JsonObject Due(DueTime d) => new()
        {
            ["due"] = d.LocalText,
            ["timeZone"] = d.Zone.Id,
            ["instant"] = InstantPattern.ExtendedIso.Format(d.Instant),
        };
    }

    /// <summary>Reads what <see cref="ToJson"/> wrote (stored data, so it is trusted: a malformed entry throws).</summary>
    public static HistoryEntry FromJson(JsonNode node)
    {
        static string S(JsonNode? n, string name) => (string?)n?[name] ?? throw new FormatException($"history entry lacks \"{name}\"");
        static DueTime Due(JsonNode? n) => DueTime.FromStored(
            LocalDateTimePattern.ExtendedIso.Parse(S(n, "due")).GetValueOrThrow(),
            Zones.Find(S(n, "timeZone")) ?? DateTimeZone.Utc,
            InstantPattern.ExtendedIso.Parse(S(n, "instant")).GetValueOrThrow());
        return new HistoryEntry
        {
            Id = S(node, "id"),
            At = InstantPattern.ExtendedIso.Parse(S(node, "at")).GetValueOrThrow(),
            By = S(node, "by"),
            Kind = S(node, "change"),
            OldDue = Due(node["from"]),
            NewDue = Due(node["to"]),
            Reason = (string?)node["reason"],
            Occurrence = (string?)node["occurrence"] is { } occurrence ? InstantPattern.ExtendedIso.Parse(occurrence).GetValueOrThrow() : null,
        };
    }

    public NoticeFacts ToNotice() => new(Kind, OldDue.Instant, NewDue.Instant, Reason, By);
}

using System.Security.Cryptography;
using Azure.Data.Tables;
using DeadlineAlerts.Storage.Records;
using NodaTime;

namespace DeadlineAlerts.Storage.Audit;

public static class AuditAction
{
    public const string Created = "created";
    public const string Updated = "updated";
    public const string Deleted = "deleted";
    public const string Extended = "extended";
    public const string Resolved = "resolved";
    public const string Cancelled = "cancelled";
    public const string Reopened = "reopened";
    public const string Unsubscribed = "unsubscribed";
    /// <summary>Delivery marked a channel broken because the receiver said it is gone for good.</summary>
    public const string ChannelBroken = "channel-broken";
    /// <summary>A subscriber (by its Got it link) or an operator said "Got it" for a deadline's due instant.</summary>
    public const string Acknowledged = "acknowledged";
    /// <summary>An operator paused a subscriber until an instant, or lifted the pause (the API's pause routes).</summary>
    public const string Paused = "paused";
    public const string Resumed = "resumed";
}

/// <summary>
/// One change to one record: who (operator name, <c>cli</c>, <c>import</c>, <c>subscriber</c> for an
/// unsubscribe), when, what, and the record before and after as import-format JSON with secrets redacted
/// (see <c>RecordJson</c>). Null <see cref="Before"/> means created; null <see cref="After"/> means deleted.
/// </summary>
public sealed record AuditEntry
{
    public required Instant At { get; init; }
    public required string Actor { get; init; }
    public required string Action { get; init; }
    /// <summary><c>deadline</c> or <c>subscriber</c>.</summary>
    public required string RecordKind { get; init; }
    public required string RecordId { get; init; }
    public string? Summary { get; init; }
    public string? Before { get; init; }
    public string? After { get; init; }
}

/// <summary>
/// The audit table: append-only. PartitionKey is the record (<c>deadline_ID</c>), so one record's history is
/// one partition query; RowKey is reversed ticks, a reversed sequence number and a random suffix, so a partition
/// reads newest first, two changes this process makes in the same tick (a fake clock, a fast create-then-edit)
/// keep their order, and changes from two processes in the same tick never collide.
/// </summary>
public sealed class AuditLog(StorageClients clients)
{
    private static long _sequence;

    private TableClient Table => clients.Table(clients.Names.Audit);

    public static string Partition(string recordKind, string recordId) => $"{recordKind}_{recordId}";

    public async Task AppendAsync(AuditEntry entry, CancellationToken ct = default) =>
        await Table.AddEntityAsync(ToEntity(entry), ct);

    public async Task AppendAsync(IEnumerable<AuditEntry> entries, CancellationToken ct = default)
    {
        foreach (var partition in entries.GroupBy(e => Partition(e.RecordKind, e.RecordId)))
            await TableBatches.SubmitAsync(Table, partition.Select(e => new TableTransactionAction(TableTransactionActionType.Add, ToEntity(e))), ct);
    }

    /// <summary>Newest first; one record's entries when kind and id are given, else all (optionally since an instant).</summary>
    public async Task<List<AuditEntry>> QueryAsync(string? recordKind = null, string? recordId = null, Instant? since = null, int max = 500, CancellationToken ct = default)
    {
        var filters = new List<string>();
        if (recordKind is not null && recordId is not null)
            filters.Add(TableClient.CreateQueryFilter($"PartitionKey eq {Partition(recordKind, recordId)}"));
        else if (recordKind is not null)
            filters.Add(TableClient.CreateQueryFilter($"RecordKind eq {recordKind}"));
        if (since is { } s) filters.Add(TableClient.CreateQueryFilter($"At ge {RecordEntities.Iso(s)}"));
        var list = new List<AuditEntry>();
        await foreach (var e in Table.QueryAsync<TableEntity>(filters.Count == 0 ? null : string.Join(" and ", filters), cancellationToken: ct))
            list.Add(FromEntity(e));
        return list.OrderByDescending(e => e.At).Take(max).ToList(); // stable: same-instant entries keep RowKey order
    }

    private static TableEntity ToEntity(AuditEntry e)
    {
        var entity = new TableEntity(Partition(e.RecordKind, e.RecordId), $"{long.MaxValue - e.At.ToUnixTimeTicks():D19}_{long.MaxValue - Interlocked.Increment(ref _sequence):D19}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}")
        {
            ["At"] = RecordEntities.Iso(e.At),
            ["Actor"] = e.Actor,
            ["Action"] = e.Action,
            ["RecordKind"] = e.RecordKind,
            ["RecordId"] = e.RecordId,
            ["Summary"] = e.Summary,
        };
        Split(entity, "Before", e.Before);
        Split(entity, "After", e.After);
        return entity;
    }

    /// <summary>
    /// Characters of one stored text property: Table Storage holds at most 64 KiB (32,768 UTF-16 characters) in one.
    /// A record's JSON can be longer (notes of 16,000 characters, history), so it is kept in <c>Before</c>,
    /// <c>Before2</c>, <c>Before3</c>, ... and joined when read; an entity holds 1 MiB, room for both records.
    /// </summary>
    public const int PropertyChars = 32_000;

    private static void Split(TableEntity entity, string name, string? text)
    {
        if (text is null) return;
        var (part, at) = (1, 0);
        do
        {
            // Never split a surrogate pair across two properties: each must be valid UTF-16 on its own.
            var length = Math.Min(PropertyChars, text.Length - at);
            if (at + length < text.Length && char.IsHighSurrogate(text[at + length - 1])) length--;
            entity[part == 1 ? name : $"{name}{part}"] = text.Substring(at, length);
            at += length;
            part++;
        }
        while (at < text.Length);
    }

    private static string? Joined(TableEntity entity, string name)
    {
        var first = entity.GetString(name);
        if (first is null || !entity.ContainsKey(name + "2")) return first;
        var sb = new System.Text.StringBuilder(first);
        for (var part = 2; entity.GetString($"{name}{part}") is { } more; part++) sb.Append(more);
        return sb.ToString();
    }

    private static AuditEntry FromEntity(TableEntity e) => new()
    {
        At = RecordEntities.ParseInstant(e.GetString("At")),
        Actor = e.GetString("Actor") ?? "",
        Action = e.GetString("Action") ?? "",
        RecordKind = e.GetString("RecordKind") ?? "",
        RecordId = e.GetString("RecordId") ?? "",
        Summary = e.GetString("Summary"),
        Before = Joined(e, "Before"),
        After = Joined(e, "After"),
    };
}

using Azure.Data.Tables;
using DeadlineAlerts.Core.Records;
using NodaTime;

namespace DeadlineAlerts.Storage.Records;

/// <summary>
/// The stored deadlines and subscribers a tick found it cannot read, kept until the record is written again (import,
/// the API, a milestone), so health keeps counting a bad record after the ticks whose window named it have passed.
/// Rows of the state table, partition <c>unreadable</c>, one per record. Costs nothing while every record reads:
/// the tick writes only when it met a bad one, and a record write asks one small query.
/// </summary>
public sealed class UnreadableRecords(StorageClients clients)
{
    private const string Partition = "unreadable";

    private TableClient Table => clients.Table(clients.Names.State);

    // A row key may not hold '/', '\', '#' or '?': the kind and the id, escaped.
    private static string Key(string recordKind, string id) => Uri.EscapeDataString(recordKind) + ":" + Uri.EscapeDataString(id);

    /// <summary>Keeps the deadlines and subscribers among <paramref name="found"/> (a schedule row is the tick's report alone).</summary>
    public async Task NoteAsync(IEnumerable<UnreadableRecord> found, Instant at, CancellationToken ct = default)
    {
        var rows = found.Where(IsRecord).DistinctBy(u => (u.RecordKind, u.Id)).Select(u => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
            new TableEntity(Partition, Key(u.RecordKind, u.Id))
            {
                ["RecordKind"] = u.RecordKind,
                ["RecordId"] = u.Id,
                ["Field"] = u.Field,
                ["Problem"] = u.Problem,
                ["SeenAt"] = RecordEntities.Iso(at),
            })).ToList();
        if (rows.Count > 0) await TableBatches.SubmitAsync(Table, rows, ct);
    }

    /// <summary>Forgets the records just written (or deleted): their stored form is the new one now.</summary>
    public async Task ForgetAsync(IEnumerable<DeadlineId> deadlines, IEnumerable<SubscriberId> subscribers, CancellationToken ct = default)
    {
        var written = deadlines.Select(d => Key("deadline", d.Value)).Concat(subscribers.Select(s => Key("subscriber", s.Value))).ToHashSet(StringComparer.Ordinal);
        if (written.Count == 0) return;
        var gone = new List<TableTransactionAction>();
        await foreach (var e in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), select: ["PartitionKey", "RowKey"], cancellationToken: ct))
            if (written.Contains(e.RowKey)) gone.Add(new TableTransactionAction(TableTransactionActionType.Delete, e, Azure.ETag.All));
        if (gone.Count > 0) await TableBatches.SubmitAsync(Table, gone, ct);
    }

    /// <summary>The records kept, at most <paramref name="max"/> (health counts one past its threshold, no further).</summary>
    public async Task<List<UnreadableRecord>> ListAsync(int max, CancellationToken ct = default)
    {
        var list = new List<UnreadableRecord>();
        await foreach (var e in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), cancellationToken: ct))
        {
            list.Add(new UnreadableRecord(e.GetString("RecordKind") ?? "record", e.GetString("RecordId") ?? e.RowKey, e.GetString("Field") ?? "", e.GetString("Problem") ?? ""));
            if (list.Count >= max) break;
        }
        return list;
    }

    private static bool IsRecord(UnreadableRecord u) => u.RecordKind is "deadline" or "subscriber";
}

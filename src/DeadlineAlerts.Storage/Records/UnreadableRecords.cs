using Azure.Data.Tables;
using DeadlineAlerts.Core.Records;
using NodaTime;

namespace DeadlineAlerts.Storage.Records;

/// <summary>
/// The stored deadlines and subscribers a tick found it cannot read, kept so that health keeps counting a bad record
/// after the ticks whose window named it have passed. Rows of the state table, partition <c>unreadable</c>, one per
/// record. A kept record is re-read when health asks (<see cref="StillUnreadableAsync"/>): one that reads again
/// (imported, written through the API, fixed in the table) or is gone is dropped then, so nothing on the write path
/// has to remember it. Costs nothing while every record reads: the tick writes only when it met a bad one.
/// </summary>
public sealed class UnreadableRecords(StorageClients clients, RecordStore records)
{
    private const string Partition = "unreadable";

    private TableClient Table => clients.Table(clients.Names.State);

    // A row key may not hold '/', '\', '#' or '?': the kind and the id, escaped.
    private static string Key(string recordKind, string id) => Uri.EscapeDataString(recordKind) + ":" + Uri.EscapeDataString(id);

    /// <summary>A deadline or a subscriber (kept here), not a schedule row (the tick's report alone: nothing rewrites one).</summary>
    public static bool IsRecord(UnreadableRecord u) => u.RecordKind is "deadline" or "subscriber";

    /// <summary>Keeps the deadlines and subscribers among <paramref name="found"/>.</summary>
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

    /// <summary>
    /// The kept records that still cannot be read, at most <paramref name="max"/>, each as it reads now. Those that
    /// read again or are gone are dropped from the list (a failed drop only means they are re-read next time).
    /// </summary>
    public async Task<List<UnreadableRecord>> StillUnreadableAsync(int max, CancellationToken ct = default)
    {
        var still = new List<UnreadableRecord>();
        var readable = new List<TableTransactionAction>();
        await foreach (var e in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), cancellationToken: ct))
        {
            var id = e.GetString("RecordId") ?? "";
            var problem = e.GetString("RecordKind") switch
            {
                "deadline" => (await records.ReadDeadlineAsync(id, ct)).Problem,
                "subscriber" => (await records.ReadSubscriberAsync(id, ct)).Problem,
                _ => null,
            };
            if (problem is null) readable.Add(new TableTransactionAction(TableTransactionActionType.Delete, e, Azure.ETag.All));
            else if (still.Count < max) still.Add(problem);
            else break;
        }
        if (readable.Count > 0)
        {
            try { await TableBatches.SubmitAsync(Table, readable, ct); }
            catch (Azure.RequestFailedException) { /* kept a little longer: they are re-read and dropped next time */ }
        }
        return still;
    }
}

using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using NodaTime;

namespace DeadlineAlerts.Storage.Ledger;

/// <summary>
/// Ledger rows in flight that were written together (at most one queue message's worth, one ledger partition),
/// not all final yet, and when the sweep should look at them again. <see cref="Key"/> names exactly this set of
/// rows (its first row key and a hash of all of them), so writing the same set twice is one entry and a different
/// set never overwrites another's.
/// </summary>
public sealed record UnfinishedWork(string PartitionKey, string Key, IReadOnlyList<string> RowKeys, Instant CheckAt, int Requeues)
{
    /// <summary>The entry for these rows of one partition (in key order), to be looked at at <paramref name="checkAt"/>.</summary>
    public static UnfinishedWork For(string partitionKey, IReadOnlyList<string> rowKeys, Instant checkAt)
    {
        if (rowKeys.Count == 0) throw new ArgumentException("an entry names at least one row", nameof(rowKeys));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', rowKeys))).AsSpan(0, 6));
        return new(partitionKey, rowKeys[0] + "~" + hash, rowKeys, checkAt, 0);
    }
}

/// <summary>
/// The ledger rows that are not final, in a table of their own: one entry per set of rows the outbox wrote and
/// queued together (<see cref="UnfinishedWork"/>), keyed in the rows' own partition. An entry is written
/// <em>before</em> its ledger rows and removed only once all of them are final (by the delivery of their message,
/// or by the sweep), so a crash at any point leaves either an entry the sweep will look at or final rows. The
/// sweep reads only this table, whose size is the work in flight, never the ledger's history; and one entry per
/// message rather than per row keeps its cost at two small writes per message.
/// </summary>
public sealed class UnfinishedIndex(StorageClients clients)
{
    private TableClient Table => clients.Table(clients.Names.Unfinished);

    public async Task AddAsync(IEnumerable<UnfinishedWork> work, CancellationToken ct = default)
    {
        var actions = work.Select(w => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(w)));
        await Task.WhenAll(actions.GroupBy(a => a.Entity.PartitionKey).SelectMany(p => p.Chunk(TableBatches.MaxBatch))
            .Select(chunk => Table.SubmitTransactionAsync(chunk, ct)));
    }

    /// <summary>Entries whose check time has come (all of them with <paramref name="upTo"/> null).</summary>
    public async Task<List<UnfinishedWork>> DueAsync(Instant? upTo, CancellationToken ct = default)
    {
        var filter = upTo is { } at ? TableClient.CreateQueryFilter($"CheckAt le {at.ToDateTimeOffset()}") : null;
        var list = new List<UnfinishedWork>();
        await foreach (var e in Table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            // An entry without Rows names one row, its own key (how entries were written before they named sets).
            var rows = e.GetString("Rows") is { Length: > 0 } text ? text.Split('\n') : [e.RowKey];
            list.Add(new UnfinishedWork(e.PartitionKey, e.RowKey, rows,
                Instant.FromDateTimeOffset(e.GetDateTimeOffset("CheckAt") ?? DateTimeOffset.MinValue), e.GetInt32("Requeues") ?? 0));
        }
        return list;
    }

    /// <summary>
    /// How many ledger rows the entries whose check time is at or before <paramref name="upTo"/> name: rows past their
    /// send time (plus the outbox's grace) that are not final and that the sweep has not looked at since. Reads only the
    /// <c>Rows</c> column and stops counting at <paramref name="limit"/>, so a health probe stays cheap when many pile up.
    /// </summary>
    public async Task<int> CountOverdueRowsAsync(Instant upTo, int limit, CancellationToken ct = default)
    {
        var filter = TableClient.CreateQueryFilter($"CheckAt le {upTo.ToDateTimeOffset()}");
        var rows = 0;
        await foreach (var e in Table.QueryAsync<TableEntity>(filter, select: ["Rows"], cancellationToken: ct))
        {
            rows += e.GetString("Rows") is { Length: > 0 } text ? text.Count(c => c == '\n') + 1 : 1;
            if (rows >= limit) return limit;
        }
        return rows;
    }

    /// <summary>Removes entries whose rows are all final. An entry already gone is fine (two workers finished it).</summary>
    public async Task RemoveAsync(IEnumerable<(string PartitionKey, string Key)> keys, CancellationToken ct = default)
    {
        var chunks = keys.Distinct().GroupBy(k => k.PartitionKey).SelectMany(p => p.Chunk(TableBatches.MaxBatch));
        await Task.WhenAll(chunks.Select(async chunk =>
        {
            try
            {
                await Table.SubmitTransactionAsync(chunk.Select(k =>
                    new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(k.PartitionKey, k.Key), ETag.All)), ct);
            }
            catch (TableTransactionFailedException e) when (e.Status == 404)
            {
                foreach (var k in chunk)
                {
                    try { await Table.DeleteEntityAsync(k.PartitionKey, k.Key, ETag.All, ct); }
                    catch (RequestFailedException d) when (d.Status == 404) { }
                }
            }
        }));
    }

    private static TableEntity ToEntity(UnfinishedWork w) => new(w.PartitionKey, w.Key)
    {
        ["Rows"] = string.Join('\n', w.RowKeys),
        ["CheckAt"] = w.CheckAt.ToDateTimeOffset(),
        ["Requeues"] = w.Requeues,
    };
}

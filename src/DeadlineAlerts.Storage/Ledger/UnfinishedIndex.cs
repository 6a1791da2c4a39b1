using Azure;
using Azure.Data.Tables;
using NodaTime;

namespace DeadlineAlerts.Storage.Ledger;

/// <summary>One ledger row that is not final yet, and when the sweep should look at it again.</summary>
public sealed record UnfinishedRow(string PartitionKey, string RowKey, Instant CheckAt, int Requeues);

/// <summary>
/// The ledger rows that are not final, keyed like the ledger (same partition and row key) in a table of their
/// own. A row is added here <em>before</em> its ledger row is written and removed only after the ledger row is
/// final, so a crash at any point leaves either an entry the sweep will look at or a final row. The sweep reads
/// only this table, whose size is the work in flight, never the ledger's history.
/// </summary>
public sealed class UnfinishedIndex(StorageClients clients)
{
    private TableClient Table => clients.Table(clients.Names.Unfinished);

    public async Task AddAsync(IEnumerable<UnfinishedRow> rows, CancellationToken ct = default)
    {
        var actions = rows.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(r)));
        await Task.WhenAll(actions.GroupBy(a => a.Entity.PartitionKey).SelectMany(p => p.Chunk(TableBatches.MaxBatch))
            .Select(chunk => Table.SubmitTransactionAsync(chunk, ct)));
    }

    /// <summary>Entries whose check time has come (all of them with <paramref name="upTo"/> null).</summary>
    public async Task<List<UnfinishedRow>> DueAsync(Instant? upTo, CancellationToken ct = default)
    {
        var filter = upTo is { } at ? TableClient.CreateQueryFilter($"CheckAt le {at.ToDateTimeOffset()}") : null;
        var list = new List<UnfinishedRow>();
        await foreach (var e in Table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
            list.Add(new UnfinishedRow(e.PartitionKey, e.RowKey, Instant.FromDateTimeOffset(e.GetDateTimeOffset("CheckAt") ?? DateTimeOffset.MinValue),
                e.GetInt32("Requeues") ?? 0));
        return list;
    }

    /// <summary>Removes entries whose ledger rows are final. An entry already gone is fine (two workers finished it).</summary>
    public async Task RemoveAsync(IEnumerable<(string PartitionKey, string RowKey)> keys, CancellationToken ct = default)
    {
        var chunks = keys.Distinct().GroupBy(k => k.PartitionKey).SelectMany(p => p.Chunk(TableBatches.MaxBatch));
        await Task.WhenAll(chunks.Select(async chunk =>
        {
            try
            {
                await Table.SubmitTransactionAsync(chunk.Select(k =>
                    new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(k.PartitionKey, k.RowKey), ETag.All)), ct);
            }
            catch (TableTransactionFailedException e) when (e.Status == 404)
            {
                foreach (var k in chunk)
                {
                    try { await Table.DeleteEntityAsync(k.PartitionKey, k.RowKey, ETag.All, ct); }
                    catch (RequestFailedException d) when (d.Status == 404) { }
                }
            }
        }));
    }

    private static TableEntity ToEntity(UnfinishedRow r) => new(r.PartitionKey, r.RowKey)
    {
        ["CheckAt"] = r.CheckAt.ToDateTimeOffset(),
        ["Requeues"] = r.Requeues,
    };
}

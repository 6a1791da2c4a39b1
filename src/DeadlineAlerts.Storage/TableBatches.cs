using Azure;
using Azure.Data.Tables;

namespace DeadlineAlerts.Storage;

/// <summary>
/// Entity-group transactions: up to 100 actions on one partition in one round trip. Azurite does about
/// 5,000 entities a second this way against a few hundred single requests, so every bulk write goes here.
/// </summary>
public static class TableBatches
{
    public const int MaxBatch = 100;

    public static async Task SubmitAsync(TableClient table, IEnumerable<TableTransactionAction> actions, CancellationToken ct)
    {
        foreach (var partition in actions.GroupBy(a => a.Entity.PartitionKey))
            foreach (var chunk in partition.Chunk(MaxBatch))
                await table.SubmitTransactionAsync(chunk, ct);
    }

    /// <summary>
    /// Inserts entities that do not exist yet, in batches; returns the ones this call inserted. A batch that
    /// fails because another writer got there first is retried one entity at a time, so two concurrent
    /// callers each learn exactly which rows are theirs.
    /// </summary>
    public static async Task<List<TableEntity>> AddMissingAsync(TableClient table, IEnumerable<TableEntity> entities, CancellationToken ct)
    {
        var chunks = entities.GroupBy(e => e.PartitionKey).SelectMany(p => p.Chunk(MaxBatch));
        var results = await Task.WhenAll(chunks.Select(chunk => AddChunkAsync(table, chunk, ct)));
        return results.SelectMany(r => r).ToList();
    }

    private static async Task<List<TableEntity>> AddChunkAsync(TableClient table, TableEntity[] chunk, CancellationToken ct)
    {
        try
        {
            var response = await table.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)), ct);
            for (var i = 0; i < chunk.Length; i++) chunk[i].ETag = response.Value[i].Headers.ETag ?? default;
            return [.. chunk];
        }
        catch (TableTransactionFailedException e) when (e.Status == 409)
        {
            var inserted = new List<TableEntity>();
            foreach (var entity in chunk)
            {
                try
                {
                    var r = await table.AddEntityAsync(entity, ct);
                    entity.ETag = r.Headers.ETag ?? default;
                    inserted.Add(entity);
                }
                catch (RequestFailedException c) when (c.Status == 409) { }
            }
            return inserted;
        }
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Storage.Queues;
using DeadlineAlerts.Storage.Ledger;

namespace DeadlineAlerts.Storage.Queue;

/// <summary>
/// One ledger row to deliver; <see cref="Attempt"/> is set on a scheduled retry. A row queued by the outbox right
/// after it was planned also carries what the row holds (<see cref="Planned"/>) and its <see cref="ETag"/>: delivery
/// then claims it with that ETag without reading it first, and reads the ledger only when the row has changed since
/// (another worker, a cancellation) or the message carries no snapshot (a retry, a sweep).
/// </summary>
public sealed record DeliveryRef(
    [property: JsonPropertyName("p")] string PartitionKey,
    [property: JsonPropertyName("r")] string RowKey,
    [property: JsonPropertyName("a")] int Attempt = 0,
    [property: JsonPropertyName("e")] string? ETag = null,
    [property: JsonPropertyName("s")] PlannedRow? Planned = null)
{
    /// <summary>A planned row as the outbox wrote it, with its snapshot and ETag.</summary>
    public static DeliveryRef Snapshot(LedgerEntry planned) =>
        planned.Status == LedgerStatus.Planned && !string.IsNullOrEmpty(planned.ETag.ToString())
            ? new(planned.PartitionKey, planned.RowKey, 0, planned.ETag.ToString(), PlannedRow.Of(planned))
            : new(planned.PartitionKey, planned.RowKey);

    /// <summary>The row as it was when the message was cut, or null when the message does not say.</summary>
    public LedgerEntry? PlannedEntry() =>
        Planned is { } s && ETag is { Length: > 0 } e ? s.ToEntry(PartitionKey, RowKey, new Azure.ETag(e)) : null;

    public DeliveryRef WithoutSnapshot() => this with { ETag = null, Planned = null };
}

/// <summary>
/// A queue message: several deliveries, so that one storage round trip moves many alerts. Per-delivery
/// state lives in the ledger, so a message that is retried as a whole never resends what was delivered.
/// </summary>
/// <remarks><see cref="Work"/> names the <see cref="UnfinishedWork"/> entry (in the deliveries' partition) when the
/// message holds every row of that entry that is not final: delivery removes the entry once all of them are.</remarks>
public sealed record DeliveryMessage(
    [property: JsonPropertyName("d")] IReadOnlyList<DeliveryRef> Deliveries,
    [property: JsonPropertyName("u")] string? Work = null)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault };
    public string Serialize() => JsonSerializer.Serialize(this, Json);
    public static DeliveryMessage Parse(string text) =>
        JsonSerializer.Deserialize<DeliveryMessage>(text, Json) ?? throw new FormatException("Empty delivery message.");
}

public sealed class AlertQueue(StorageClients clients)
{
    /// <summary>Deliveries per message: well inside the 64 KiB message limit.</summary>
    public const int PerMessage = 50;

    /// <summary>A message's text may be 48 KiB (64 KiB once Base64-encoded); past this, its snapshots are left out.</summary>
    public const int MaxMessageChars = 40_000;

    public QueueClient Queue => clients.Queue(clients.Names.AlertQueue);
    public QueueClient Poison => clients.Queue(clients.Names.PoisonQueue);

    /// <summary>
    /// Queues deliveries in ledger-key order, <see cref="PerMessage"/> a message and each message within one ledger
    /// partition, so delivery reads a message's rows with one range query that holds nothing else. Messages are
    /// sent concurrently. A delay is given to the queue in whole seconds, rounded down (the service's unit):
    /// delivery waits out the remainder itself, so a retry is never early and keeps its jitter.
    /// </summary>
    public Task<int> EnqueueAsync(IEnumerable<DeliveryRef> deliveries, TimeSpan? delay = null, CancellationToken ct = default) =>
        EnqueueAsync(Cut(deliveries).Select(chunk => new DeliveryMessage(chunk)), delay, ct);

    /// <summary>Deliveries in ledger-key order, <see cref="PerMessage"/> a chunk and each chunk within one ledger partition.</summary>
    public static IEnumerable<T[]> Cut<T>(IEnumerable<T> rows, Func<T, (string PartitionKey, string RowKey)> key) =>
        rows.DistinctBy(key).GroupBy(r => key(r).PartitionKey).OrderBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(g => g.OrderBy(r => key(r).RowKey, StringComparer.Ordinal).Chunk(PerMessage));

    private static IEnumerable<DeliveryRef[]> Cut(IEnumerable<DeliveryRef> deliveries) => Cut(deliveries, d => (d.PartitionKey, d.RowKey));

    /// <summary>Queues messages cut already (see <see cref="Cut{T}"/>), concurrently; a message too large for the queue
    /// with its snapshots goes without them.</summary>
    public async Task<int> EnqueueAsync(IEnumerable<DeliveryMessage> cut, TimeSpan? delay = null, CancellationToken ct = default)
    {
        var messages = cut.Where(m => m.Deliveries.Count > 0)
            .Select(m => m.Serialize() is { Length: <= MaxMessageChars } text
                ? text
                : (m with { Deliveries = [.. m.Deliveries.Select(c => c.WithoutSnapshot())] }).Serialize())
            .ToList();
        var visibility = delay is { } d && d > TimeSpan.Zero ? TimeSpan.FromSeconds(Math.Floor(d.TotalSeconds)) : (TimeSpan?)null;
        await Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct },
            async (m, token) => await Queue.SendMessageAsync(m, visibility, cancellationToken: token));
        return messages.Count;
    }

    public async Task PoisonAsync(string text, CancellationToken ct = default) =>
        await Poison.SendMessageAsync(text, cancellationToken: ct);
}

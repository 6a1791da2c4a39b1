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
public sealed record DeliveryMessage([property: JsonPropertyName("d")] IReadOnlyList<DeliveryRef> Deliveries)
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
    public async Task<int> EnqueueAsync(IEnumerable<DeliveryRef> deliveries, TimeSpan? delay = null, CancellationToken ct = default)
    {
        var messages = deliveries.DistinctBy(d => (d.PartitionKey, d.RowKey))
            .GroupBy(d => d.PartitionKey).OrderBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(g => g.OrderBy(d => d.RowKey, StringComparer.Ordinal).Chunk(PerMessage))
            .Select(chunk => new DeliveryMessage(chunk).Serialize() is { Length: <= MaxMessageChars } text
                ? text
                : new DeliveryMessage([.. chunk.Select(c => c.WithoutSnapshot())]).Serialize())
            .ToList();
        var visibility = delay is { } d && d > TimeSpan.Zero ? TimeSpan.FromSeconds(Math.Floor(d.TotalSeconds)) : (TimeSpan?)null;
        await Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct },
            async (m, token) => await Queue.SendMessageAsync(m, visibility, cancellationToken: token));
        return messages.Count;
    }

    public async Task PoisonAsync(string text, CancellationToken ct = default) =>
        await Poison.SendMessageAsync(text, cancellationToken: ct);
}

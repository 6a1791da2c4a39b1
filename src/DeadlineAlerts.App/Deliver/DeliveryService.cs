using DeadlineAlerts.Storage.Ledger;
using DeadlineAlerts.Storage.Queue;
using DeadlineAlerts.Storage.Records;

namespace DeadlineAlerts.App.Deliver;

/// <summary>What happened to one delivery, for the CLI's output and for tests.</summary>
public sealed record DeliveryLine(LedgerEntry Entry, LedgerStatus Status, string? Text, string? ChannelShown, string? Reason);

/// <summary>
/// Delivery, as four stages, each in its own file, run in this order for the deliveries of one queue message:
/// <list type="number">
/// <item><see cref="ClaimStage"/>: read the message's ledger rows and claim those still to be sent (ETag, lease);</item>
/// <item><see cref="ComposeStage"/>: what each says now, from the current records, or why it is not sent;</item>
/// <item><see cref="SendStage"/>: through each row's channel, a bounded number at once;</item>
/// <item><see cref="RecordOutcomeStage"/>: the ledger's transition for each outcome (retries queued before the ledger
/// says retrying, exhausted ones poisoned, gone channels marked broken), then the message's unfinished-index entry removed once all its rows are final.</item>
/// </list>
/// A crash between any two stages leaves claimed rows whose lease runs out; the outbox's sweep queues them again.
/// </summary>
public sealed class DeliveryService(ClaimStage claim, ComposeStage compose, SendStage send, RecordOutcomeStage record, RecordStore records)
{
    /// <summary>One message on its own (the Functions queue trigger hands over one at a time).</summary>
    public Task<IReadOnlyList<DeliveryLine>> DeliverAsync(DeliveryMessage message, CancellationToken ct = default) =>
        DeliverAsync(message, new RecordCache(records), ct);

    /// <summary>One message of a batch whose messages share <paramref name="cache"/> (the local host's receive batch).</summary>
    public async Task<IReadOnlyList<DeliveryLine>> DeliverAsync(DeliveryMessage message, RecordCache cache, CancellationToken ct = default)
    {
        using var span = AlertMetrics.Source.StartActivity("deliver");
        var claimed = await claim.RunAsync(message, ct);
        if (claimed.Count == 0) return [];
        var composed = await compose.RunAsync(claimed, cache, ct);
        var sent = await send.RunAsync(composed, ct);
        return await record.RunAsync(message, sent, ct);
    }
}

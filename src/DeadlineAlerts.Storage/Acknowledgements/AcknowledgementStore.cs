using Azure;
using Azure.Data.Tables;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Storage.Records;
using NodaTime;

namespace DeadlineAlerts.Storage.Acknowledgements;

/// <summary>
/// A subscriber's "Got it" for one deadline: who said it (<see cref="By"/>: <c>subscriber</c> for the link, else the
/// operator), when, and the due instant it was said for. It covers the lead-time alerts of that due instant only,
/// so an extension or a move re-arms the alerts without anyone deleting it.
/// </summary>
public sealed record Acknowledgement(DeadlineId DeadlineId, SubscriberId SubscriberId, Instant DueAt, Instant At, string By)
{
    /// <summary>True when <paramref name="alert"/> is one of the alerts this Got it stops.</summary>
    public bool Covers(PlannedAlert alert) => alert.DeadlineId == DeadlineId && alert.SubscriberId == SubscriberId && alert.DueAt == DueAt;
}

/// <summary>
/// The acknowledgements table: PartitionKey = deadline id, RowKey = subscriber id, one row per pair holding the
/// latest Got it. A table of its own rather than a field of the subscriber: a Got it is the subscriber's answer,
/// not the operator's configuration, so an import or a PUT of the subscriber never wipes it, and saying it needs
/// no ETag race with an operator editing the record. The tick and delivery read it by point reads, one per
/// (deadline, subscriber) pair with an alert at hand, so its cost follows the alerts due, not the table's size.
/// </summary>
public sealed class AcknowledgementStore(StorageClients clients)
{
    private TableClient Table => clients.Table(clients.Names.Acknowledgements);

    public async Task<Acknowledgement?> GetAsync(DeadlineId deadlineId, SubscriberId subscriberId, CancellationToken ct = default) =>
        (await GetStoredAsync(deadlineId, subscriberId, ct))?.Value;

    /// <summary>The Got it of each pair that has one (pairs without are absent), read concurrently.</summary>
    public async Task<IReadOnlyDictionary<(DeadlineId DeadlineId, SubscriberId SubscriberId), Acknowledgement>> ForPairsAsync(
        IEnumerable<(DeadlineId DeadlineId, SubscriberId SubscriberId)> pairs, CancellationToken ct = default)
    {
        var reads = await Task.WhenAll(pairs.Distinct().Select(p => GetAsync(p.DeadlineId, p.SubscriberId, ct)));
        return reads.OfType<Acknowledgement>().ToDictionary(a => (a.DeadlineId, a.SubscriberId));
    }

    /// <summary>
    /// Stores <paramref name="ack"/> unless the pair already acknowledged the same due instant: true when this call
    /// stored it, false when it was there already (the first Got it stays, with its time and author). A Got it of
    /// an earlier due instant is replaced. Conditional writes: of two at once, one stores and the other sees it.
    /// </summary>
    public async Task<bool> TryAddAsync(Acknowledgement ack, CancellationToken ct = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            var stored = await GetStoredAsync(ack.DeadlineId, ack.SubscriberId, ct);
            if (stored?.Value?.DueAt == ack.DueAt) return false;
            var entity = new TableEntity(ack.DeadlineId.Value, ack.SubscriberId.Value)
            {
                ["DueAt"] = RecordEntities.Iso(ack.DueAt),
                ["At"] = RecordEntities.Iso(ack.At),
                ["By"] = ack.By,
            };
            try
            {
                if (stored is null) await Table.AddEntityAsync(entity, ct);
                else await Table.UpdateEntityAsync(entity, stored.Value.ETag, TableUpdateMode.Replace, ct);
                return true;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < 5) { }
        }
    }

    /// <summary>The stored row (null: none); its value is null when this version cannot read it (it is then replaced by the next Got it).</summary>
    private async Task<(Acknowledgement? Value, ETag ETag)?> GetStoredAsync(DeadlineId deadlineId, SubscriberId subscriberId, CancellationToken ct)
    {
        var r = await Table.GetEntityIfExistsAsync<TableEntity>(deadlineId.Value, subscriberId.Value, cancellationToken: ct);
        if (!r.HasValue || r.Value is not { } e) return null;
        // A row this version cannot read acknowledges nothing: alerts are sent rather than silently lost.
        if (RecordEntities.TryParseInstant(e.GetString("DueAt")) is not { } due || RecordEntities.TryParseInstant(e.GetString("At")) is not { } at) return (null, e.ETag);
        return (new Acknowledgement(deadlineId, subscriberId, due, at, e.GetString("By") ?? "?"), e.ETag);
    }
}

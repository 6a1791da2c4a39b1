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
/// The acknowledgements table: PartitionKey = <c>due-yyyyMMdd</c> (the UTC day of the due instant acknowledged),
/// RowKey = <c>deadlineId|subscriberId</c> (ids cannot hold <c>|</c>), one row per Got it. A table of its own rather
/// than a field of the subscriber: a Got it is the subscriber's answer, not the operator's configuration, so an import
/// or a PUT of the subscriber never wipes it, and saying it needs no ETag race with an operator editing the record.
/// Keyed by the due instant, so an extension or a move re-arms the alerts by itself (the new due instant has no row),
/// and the tick and delivery read every Got it that can matter to their alerts with one partition query per due day
/// among them, not one read per (deadline, subscriber) pair: the bench's 5,000 alerts cost two requests, not 10,000.
/// </summary>
public sealed class AcknowledgementStore(StorageClients clients)
{
    private TableClient Table => clients.Table(clients.Names.Acknowledgements);

    public static string Partition(Instant dueAt) => "due-" + dueAt.InUtc().Date.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);

    public static string Row(DeadlineId deadlineId, SubscriberId subscriberId) => deadlineId.Value + "|" + subscriberId.Value;

    /// <summary>The Got it of this pair for this due instant, if it was said.</summary>
    public async Task<Acknowledgement?> GetAsync(DeadlineId deadlineId, SubscriberId subscriberId, Instant dueAt, CancellationToken ct = default)
    {
        var r = await Table.GetEntityIfExistsAsync<TableEntity>(Partition(dueAt), Row(deadlineId, subscriberId), cancellationToken: ct);
        return r.HasValue && r.Value is { } e && Read(e) is { } ack && ack.DueAt == dueAt ? ack : null;
    }

    /// <summary>
    /// The Got its that cover any of <paramref name="alerts"/> (by deadline, subscriber and due instant; absent when none):
    /// one query per distinct due day among them.
    /// </summary>
    public async Task<IReadOnlyDictionary<(DeadlineId DeadlineId, SubscriberId SubscriberId, Instant DueAt), Acknowledgement>> ForAlertsAsync(
        IEnumerable<(DeadlineId DeadlineId, SubscriberId SubscriberId, Instant DueAt)> alerts, CancellationToken ct = default)
    {
        var wanted = alerts.ToHashSet();
        var found = new Dictionary<(DeadlineId, SubscriberId, Instant), Acknowledgement>();
        foreach (var partition in wanted.Select(a => Partition(a.DueAt)).Distinct(StringComparer.Ordinal))
        {
            await foreach (var e in Table.QueryAsync<TableEntity>(x => x.PartitionKey == partition, cancellationToken: ct))
            {
                if (Read(e) is { } ack && wanted.Contains((ack.DeadlineId, ack.SubscriberId, ack.DueAt)))
                    found[(ack.DeadlineId, ack.SubscriberId, ack.DueAt)] = ack;
            }
        }
        return found;
    }

    /// <summary>
    /// Stores <paramref name="ack"/> unless the pair already acknowledged the same due instant: true when this call
    /// stored it, false when it was there already (the first Got it stays, with its time and author). An insert: of two
    /// at once, one stores and the other sees it.
    /// </summary>
    public async Task<bool> TryAddAsync(Acknowledgement ack, CancellationToken ct = default)
    {
        var entity = new TableEntity(Partition(ack.DueAt), Row(ack.DeadlineId, ack.SubscriberId))
        {
            ["DeadlineId"] = ack.DeadlineId.Value,
            ["SubscriberId"] = ack.SubscriberId.Value,
            ["DueAt"] = RecordEntities.Iso(ack.DueAt),
            ["At"] = RecordEntities.Iso(ack.At),
            ["By"] = ack.By,
        };
        try
        {
            await Table.AddEntityAsync(entity, ct);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    /// <summary>A row this version cannot read acknowledges nothing: alerts are sent rather than silently lost.</summary>
    private static Acknowledgement? Read(TableEntity e) =>
        e.GetString("DeadlineId") is { Length: > 0 } d && e.GetString("SubscriberId") is { Length: > 0 } s
        && RecordEntities.TryParseInstant(e.GetString("DueAt")) is { } due && RecordEntities.TryParseInstant(e.GetString("At")) is { } at
            ? new Acknowledgement(new DeadlineId(d), new SubscriberId(s), due, at, e.GetString("By") ?? "?")
            : null;
}

using System.Globalization;
using Azure.Data.Tables;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Storage.Records;
using NodaTime;

namespace DeadlineAlerts.Storage.Schedule;

/// <summary>
/// The schedule: one row per planned alert, keyed by when it fires, so that "what is due in (from, to]?"
/// is one range query over the partitions of those UTC days and reads only the alerts in the window,
/// never every deadline. PartitionKey = fire day (<c>yyyyMMdd</c>), RowKey = fire instant in ticks
/// (zero-padded, so text order is time order) + alert id.
/// Rows are only ever added: a row left over from an older version of a record (an extension, a changed
/// subscription) is recognised at tick time because it no longer matches the current records.
/// </summary>
public sealed class ScheduleIndex(StorageClients clients)
{
    private TableClient Table => clients.Table(clients.Names.Schedule);

    public static string Partition(Instant fireAt) => fireAt.InUtc().Date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static string RowKey(Instant fireAt, AlertId id) =>
        (fireAt - Instant.MinValue).BclCompatibleTicks.ToString("D20", CultureInfo.InvariantCulture) + "_" + id.Value;

    private static string Bound(Instant instant) =>
        (instant - Instant.MinValue).BclCompatibleTicks.ToString("D20", CultureInfo.InvariantCulture);

    public async Task AddAsync(IEnumerable<PlannedAlert> alerts, CancellationToken ct = default) =>
        await TableBatches.SubmitAsync(Table, alerts.Select(a =>
            new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(a))), ct);

    /// <summary>Every row whose fire instant lies in (<paramref name="from"/>, <paramref name="to"/>].</summary>
    public async Task<List<PlannedAlert>> DueAsync(Instant from, Instant to, CancellationToken ct = default)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey ge {Partition(from)} and PartitionKey le {Partition(to)} and RowKey gt {Bound(from) + "_~"} and RowKey le {Bound(to) + "_~"}");
        var list = new List<PlannedAlert>();
        await foreach (var e in Table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
            list.Add(FromEntity(e));
        return list;
    }

    private static TableEntity ToEntity(PlannedAlert a) => new(Partition(a.FireAt), RowKey(a.FireAt, a.Id))
    {
        ["AlertId"] = a.Id.Value,
        ["DeadlineId"] = a.DeadlineId,
        ["SubscriberId"] = a.SubscriberId,
        ["LeadTime"] = a.LeadTime.Text,
        ["FireAt"] = RecordEntities.Iso(a.FireAt),
        ["DueAt"] = RecordEntities.Iso(a.DueAt),
    };

    private static PlannedAlert FromEntity(TableEntity e) => new(
        new AlertId(e.GetString("AlertId")),
        e.GetString("DeadlineId"),
        e.GetString("SubscriberId"),
        LeadTime.Parse(e.GetString("LeadTime")),
        RecordEntities.ParseInstant(e.GetString("FireAt")),
        RecordEntities.ParseInstant(e.GetString("DueAt")));
}

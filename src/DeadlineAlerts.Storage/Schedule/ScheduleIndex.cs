using System.Globalization;
using Azure.Data.Tables;
using DeadlineAlerts.Core.Pipeline;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Storage.Records;
using NodaTime;

namespace DeadlineAlerts.Storage.Schedule;

/// <summary>
/// The schedule: one row per planned alert, keyed by when it fires, so that "what is due in (from, to]?"
/// is one range query over the partitions of those UTC days and reads only the alerts in the window,
/// never every deadline. PartitionKey = fire day and the subscriber's shard (<c>yyyyMMdd-ss</c>, <see cref="KeyShards"/>:
/// a deadline that a million people follow fills 32 partitions of its fire day, not one), RowKey = fire instant in
/// ticks (zero-padded, so text order is time order) + alert id.
/// Rows are only ever added: a row left over from an older version of a record (an extension, a changed
/// subscription) is recognised at tick time because it no longer matches the current records.
/// </summary>
public sealed class ScheduleIndex(StorageClients clients)
{
    private TableClient Table => clients.Table(clients.Names.Schedule);

    public static string Partition(Instant fireAt, SubscriberId subscriberId) => Day(fireAt) + KeyShards.Suffix(subscriberId.Value);

    private static string Day(Instant fireAt) => fireAt.InUtc().Date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static string RowKey(Instant fireAt, MessageId id) =>
        (fireAt - Instant.MinValue).BclCompatibleTicks.ToString("D20", CultureInfo.InvariantCulture) + "_" + id.Value;

    private static string Bound(Instant instant) =>
        (instant - Instant.MinValue).BclCompatibleTicks.ToString("D20", CultureInfo.InvariantCulture);

    public async Task AddAsync(IEnumerable<PlannedAlert> alerts, CancellationToken ct = default) =>
        await TableBatches.SubmitAsync(Table, alerts.Select(a =>
            new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(a))), ct);

    /// <summary>
    /// Horizon marks of recurring deadlines (README "Recurring deadlines"): a row at the due instant of the first
    /// occurrence the schedule holds, which the tick that reaches it turns into the alerts of the next occurrences
    /// (and the next mark). Keyed like alerts (fire day and shard, here of the deadline id), so the tick's one range
    /// query finds them; a deadline with no rule has none, and costs the tick nothing more.
    /// </summary>
    public async Task AddHorizonMarksAsync(IEnumerable<(DeadlineId DeadlineId, Instant At)> marks, CancellationToken ct = default) =>
        await TableBatches.SubmitAsync(Table, marks.Select(m =>
        {
            var id = HorizonMarkId(m.DeadlineId, m.At);
            return new TableTransactionAction(TableTransactionActionType.UpsertReplace,
                new TableEntity(Day(m.At) + KeyShards.Suffix(m.DeadlineId.Value), RowKey(m.At, id))
                {
                    ["AlertId"] = id.Value,
                    ["DeadlineId"] = m.DeadlineId.Value,
                    ["Horizon"] = true,
                    ["FireAt"] = RecordEntities.Iso(m.At),
                    ["DueAt"] = RecordEntities.Iso(m.At),
                });
        }), ct);

    private static MessageId HorizonMarkId(DeadlineId deadlineId, Instant at) =>
        new("hz_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes($"horizon\n{deadlineId}\n{RecordEntities.Iso(at)}")), 0, 16));

    /// <summary>Every row whose fire instant lies in the window; a row that cannot be read is set aside in
    /// <see cref="ScheduleRows.Unreadable"/>, with what it names in <see cref="ScheduleRows.UnreadableRows"/>.</summary>
    public async Task<ScheduleRows> DueAsync(TickWindow window, CancellationToken ct = default)
    {
        var filter = TableClient.CreateQueryFilter(
            // Every shard of every day from the window's first to its last: "20250812-00" … "20250812-1f" sort between "20250812" and "20250812~".
            $"PartitionKey ge {Day(window.After)} and PartitionKey lt {Day(window.UpTo) + "~"} and RowKey gt {Bound(window.After) + "_~"} and RowKey le {Bound(window.UpTo) + "_~"}");
        var rows = new ScheduleRows();
        await foreach (var e in Table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            if (e.GetBoolean("Horizon") == true && e.GetString("DeadlineId") is { Length: > 0 } markOf
                && RecordEntities.TryParseInstant(e.GetString("FireAt")) is { } markAt)
            {
                rows.HorizonMarks.Add((markOf, markAt));
                continue;
            }
            var problem = Read(e, out var alert);
            if (alert is not null) rows.Alerts.Add(alert);
            else rows.UnreadableRows.Add((problem!, e.GetString("AlertId"), e.GetString("DeadlineId"), e.GetString("SubscriberId"),
                RecordEntities.TryParseInstant(e.GetString("FireAt")), RecordEntities.TryParseInstant(e.GetString("DueAt")), e.GetString("LeadTime")));
        }
        return rows;
    }

    private static TableEntity ToEntity(PlannedAlert a) => new(Partition(a.FireAt, a.SubscriberId), RowKey(a.FireAt, a.Id))
    {
        ["AlertId"] = a.Id.Value,
        ["DeadlineId"] = a.DeadlineId.Value,
        ["SubscriberId"] = a.SubscriberId.Value,
        ["LeadTime"] = a.LeadTime.Text,
        ["FireAt"] = RecordEntities.Iso(a.FireAt),
        ["DueAt"] = RecordEntities.Iso(a.DueAt),
    };

    private static UnreadableRecord? Read(TableEntity e, out PlannedAlert? alert)
    {
        alert = null;
        UnreadableRecord Bad(string field, string problem) => new("schedule row", e.PartitionKey + "/" + e.RowKey, field, problem);
        foreach (var field in (string[])["AlertId", "DeadlineId", "SubscriberId"])
            if (string.IsNullOrWhiteSpace(e.GetString(field))) return Bad(field, "is missing");
        if (!LeadTime.TryParse(e.GetString("LeadTime"), out var lead, out _))
            return Bad("LeadTime", $"\"{e.GetString("LeadTime")}\" is not an ISO 8601 duration such as P1D");
        if (RecordEntities.TryParseInstant(e.GetString("FireAt")) is not { } fireAt) return Bad("FireAt", "is not an ISO instant");
        if (RecordEntities.TryParseInstant(e.GetString("DueAt")) is not { } dueAt) return Bad("DueAt", "is not an ISO instant");
        alert = new PlannedAlert(new MessageId(e.GetString("AlertId")), e.GetString("DeadlineId"), e.GetString("SubscriberId"), lead, fireAt, dueAt);
        return null;
    }
}

/// <summary>What one window of the schedule holds: the alerts, and the rows that could not be read with what they name.</summary>
public sealed class ScheduleRows
{
    public List<PlannedAlert> Alerts { get; } = [];
    /// <summary>Recurring deadlines whose schedule horizon is to be extended (<see cref="ScheduleIndex.AddHorizonMarksAsync"/>).</summary>
    public List<(DeadlineId DeadlineId, Instant At)> HorizonMarks { get; } = [];
    public List<(UnreadableRecord Problem, string? MessageId, string? DeadlineId, string? SubscriberId, Instant? FireAt, Instant? DueAt, string? LeadTime)> UnreadableRows { get; } = [];
}

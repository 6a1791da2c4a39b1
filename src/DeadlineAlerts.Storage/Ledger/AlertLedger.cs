using Azure;
using Azure.Data.Tables;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Storage.Schedule;
using NodaTime;

namespace DeadlineAlerts.Storage.Ledger;

public static class LedgerStatus
{
    public const string Planned = "planned";
    public const string Sending = "sending";
    public const string Retrying = "retrying";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
    /// <summary>Never to be sent: the deadline moved, was resolved or cancelled before the alert went out.</summary>
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [Planned, Sending, Retrying, Delivered, Failed, Skipped, Cancelled];
    public static bool IsFinal(string status) => status is Delivered or Failed or Skipped or Cancelled;
}

/// <summary>
/// One delivery of one message to one channel: the ledger row that makes "sent once" true. Its key is
/// derived from the message (fire day, fire instant, message id, channel id), so whoever plans or delivers it
/// finds the same row; state moves planned → sending → delivered | retrying | failed, or planned → skipped,
/// or planned | retrying → cancelled. <see cref="Kind"/> says what the row delivers (<see cref="MessageKind"/>);
/// only a lead-time alert has a <see cref="LeadTime"/>.
/// </summary>
public sealed record LedgerEntry
{
    public required string PartitionKey { get; init; }
    public required string RowKey { get; init; }
    public required string AlertId { get; init; }
    public required string DeadlineId { get; init; }
    public required string SubscriberId { get; init; }
    public required string ChannelId { get; init; }
    public required string ChannelType { get; init; }
    /// <summary><see cref="MessageKind"/>; rows written before kinds existed have none and are alerts.</summary>
    public string Kind { get; init; } = MessageKind.Alert;
    /// <summary>ISO 8601 lead time of an alert; null for a notice or digest.</summary>
    public string? LeadTime { get; init; }
    /// <summary>
    /// What the message is about beyond the deadline: for a notice, the id of the deadline's history entry
    /// it reports (<see cref="Core.Records.HistoryEntry.Id"/>); for a digest, see <see cref="DigestPeriod"/>.
    /// </summary>
    public string? Ref { get; init; }
    public required Instant FireAt { get; init; }
    public required Instant DueAt { get; init; }
    public required string Status { get; init; }
    /// <summary>For a digest: the local date of its period (<see cref="Core.Schedule.DigestPeriod.Key"/>).</summary>
    public string? DigestPeriod { get; init; }
    public bool Late { get; init; }
    public Instant PlannedAt { get; init; }
    public int Attempts { get; init; }
    public string? LastError { get; init; }
    public string? ProviderMessageId { get; init; }
    public Instant? CompletedAt { get; init; }
    public Instant? LeaseUntil { get; init; }
    public Instant? NextAttemptAt { get; init; }
    public ETag ETag { get; init; }

    public static string KeyOf(PlannedAlert alert, string channelId) =>
        ScheduleIndex.RowKey(alert.FireAt, alert.Id) + "_" + channelId;

    public static LedgerEntry Plan(PlannedAlert alert, string channelId, string channelType, string status, bool late, Instant now, string? reason = null) => new()
    {
        PartitionKey = ScheduleIndex.Partition(alert.FireAt),
        RowKey = KeyOf(alert, channelId),
        AlertId = alert.Id.Value,
        DeadlineId = alert.DeadlineId,
        SubscriberId = alert.SubscriberId,
        ChannelId = channelId,
        ChannelType = channelType,
        LeadTime = alert.LeadTime.Text,
        FireAt = alert.FireAt,
        DueAt = alert.DueAt,
        Status = status,
        Late = late,
        PlannedAt = now,
        LastError = reason,
        CompletedAt = LedgerStatus.IsFinal(status) ? now : null,
    };

    /// <summary>
    /// A change notice to one channel. It is keyed like an alert firing at the moment of the change, so
    /// `dla alerts` lists it among the alerts of that day and a repeated request finds the same row.
    /// </summary>
    /// <summary>
    /// A change notice row, keyed by when it is to be sent (<paramref name="sendAt"/>: the change itself, or the
    /// end of the subscriber's quiet hours), so a tick's window query finds a held notice when its time comes.
    /// </summary>
    public static LedgerEntry PlanNotice(AlertId noticeId, string deadlineId, string changeId, string subscriberId, string channelId,
        string channelType, Instant sendAt, Instant dueAt, string status, Instant now, string? reason = null) => new()
    {
        PartitionKey = ScheduleIndex.Partition(sendAt),
        RowKey = ScheduleIndex.RowKey(sendAt, noticeId) + "_" + channelId,
        Kind = MessageKind.Notice,
        AlertId = noticeId.Value,
        DeadlineId = deadlineId,
        SubscriberId = subscriberId,
        ChannelId = channelId,
        ChannelType = channelType,
        Ref = changeId,
        FireAt = sendAt,
        DueAt = dueAt,
        Status = status,
        PlannedAt = now,
        LastError = reason,
        CompletedAt = LedgerStatus.IsFinal(status) ? now : null,
    };


    /// <summary>
    /// A digest row. Its partition is the period's local date and its row key the digest id (subscriber and
    /// period) and channel, not the send instant: a subscriber who moves the digest's hour within a period
    /// still gets that period's digest once. Digest partitions sort after the alert partitions (digits), so
    /// a tick's window query never reads them.
    /// </summary>
    public static LedgerEntry PlanDigest(string digestId, string subscriberId, Core.Schedule.DigestPeriod period, Core.Records.ChannelSpec channel,
        string status, bool late, Instant now, string? reason = null) => new()
    {
        PartitionKey = "digest-" + period.Key,
        RowKey = digestId + "_" + channel.Id,
        Kind = MessageKind.Digest,
        DigestPeriod = period.Key,
        AlertId = digestId,
        DeadlineId = "",
        SubscriberId = subscriberId,
        ChannelId = channel.Id,
        ChannelType = channel.Type,
        FireAt = period.SendAt,
        DueAt = period.SendAt,
        Status = status,
        Late = late,
        PlannedAt = now,
        LastError = reason,
        CompletedAt = status == LedgerStatus.Skipped ? now : null,
    };

    /// <summary>Only for <see cref="MessageKind.Alert"/> rows: the alert the row delivers.</summary>
    public PlannedAlert ToPlannedAlert() =>
        new(new AlertId(AlertId), DeadlineId, SubscriberId,
            Core.Schedule.LeadTime.Parse(LeadTime ?? throw new InvalidOperationException($"ledger row {RowKey} is a {Kind}, not a lead-time alert")),
            FireAt, DueAt);

    public TableEntity ToEntity() => new(PartitionKey, RowKey)
    {
        ["AlertId"] = AlertId,
        ["DeadlineId"] = DeadlineId,
        ["SubscriberId"] = SubscriberId,
        ["ChannelId"] = ChannelId,
        ["ChannelType"] = ChannelType,
        ["Kind"] = Kind == MessageKind.Alert ? null : Kind,
        ["LeadTime"] = LeadTime,
        ["Ref"] = Ref,
        ["FireAt"] = RecordEntities.Iso(FireAt),
        ["DueAt"] = RecordEntities.Iso(DueAt),
        ["Status"] = Status,
        ["DigestPeriod"] = DigestPeriod,
        ["Late"] = Late,
        ["PlannedAt"] = RecordEntities.Iso(PlannedAt),
        ["Attempts"] = Attempts,
        ["LastError"] = LastError,
        ["ProviderMessageId"] = ProviderMessageId,
        ["CompletedAt"] = CompletedAt is { } c ? RecordEntities.Iso(c) : null,
        ["LeaseUntil"] = LeaseUntil is { } l ? RecordEntities.Iso(l) : null,
        ["NextAttemptAt"] = NextAttemptAt is { } n ? RecordEntities.Iso(n) : null,
        ETag = ETag,
    };

    public static LedgerEntry FromEntity(TableEntity e) => new()
    {
        PartitionKey = e.PartitionKey,
        RowKey = e.RowKey,
        AlertId = e.GetString("AlertId"),
        DeadlineId = e.GetString("DeadlineId"),
        SubscriberId = e.GetString("SubscriberId"),
        ChannelId = e.GetString("ChannelId"),
        ChannelType = e.GetString("ChannelType"),
        Kind = e.GetString("Kind") ?? MessageKind.Alert,
        LeadTime = e.GetString("LeadTime"),
        Ref = e.GetString("Ref"),
        FireAt = RecordEntities.ParseInstant(e.GetString("FireAt")),
        DueAt = RecordEntities.ParseInstant(e.GetString("DueAt")),
        Status = e.GetString("Status"),
        DigestPeriod = e.GetString("DigestPeriod"),
        Late = e.GetBoolean("Late") ?? false,
        PlannedAt = RecordEntities.ParseInstant(e.GetString("PlannedAt")),
        Attempts = e.GetInt32("Attempts") ?? 0,
        LastError = e.GetString("LastError"),
        ProviderMessageId = e.GetString("ProviderMessageId"),
        CompletedAt = Optional(e.GetString("CompletedAt")),
        LeaseUntil = Optional(e.GetString("LeaseUntil")),
        NextAttemptAt = Optional(e.GetString("NextAttemptAt")),
        ETag = e.ETag,
    };

    private static Instant? Optional(string? text) => text is null ? null : RecordEntities.ParseInstant(text);
}

/// <summary>The alert ledger table: the named source of truth for what was planned, sent, failed or skipped.</summary>
public sealed class AlertLedger(StorageClients clients)
{
    private TableClient Table => clients.Table(clients.Names.Ledger);

    /// <summary>Inserts entries that are not there yet (batched); returns the ones this call inserted.</summary>
    public async Task<List<LedgerEntry>> AddMissingAsync(IEnumerable<LedgerEntry> entries, CancellationToken ct = default)
    {
        var inserted = await TableBatches.AddMissingAsync(Table, entries.Select(e => e.ToEntity()), ct);
        return inserted.Select(LedgerEntry.FromEntity).ToList();
    }

    /// <summary>Every entry of alerts firing in (from, to]: one range query, like the schedule's.</summary>
    public async Task<List<LedgerEntry>> InWindowAsync(Instant from, Instant to, CancellationToken ct = default)
    {
        var lo = ScheduleIndex.RowKey(from, new AlertId("~"));
        var hi = ScheduleIndex.RowKey(to, new AlertId("~"));
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey ge {ScheduleIndex.Partition(from)} and PartitionKey le {ScheduleIndex.Partition(to)} and RowKey gt {lo} and RowKey le {hi}");
        return await QueryAsync(filter, ct);
    }

    /// <summary>The entries with these keys, read with one range query per partition.</summary>
    public async Task<List<LedgerEntry>> GetAsync(IEnumerable<(string PartitionKey, string RowKey)> keys, CancellationToken ct = default)
    {
        var result = new List<LedgerEntry>();
        foreach (var partition in keys.GroupBy(k => k.PartitionKey))
        {
            var wanted = partition.Select(k => k.RowKey).ToHashSet(StringComparer.Ordinal);
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey eq {partition.Key} and RowKey ge {wanted.Min(StringComparer.Ordinal)} and RowKey le {wanted.Max(StringComparer.Ordinal)}");
            result.AddRange((await QueryAsync(filter, ct)).Where(e => wanted.Contains(e.RowKey)));
        }
        return result;
    }

    public async Task<List<LedgerEntry>> QueryAsync(string? filter, CancellationToken ct = default)
    {
        var list = new List<LedgerEntry>();
        await foreach (var e in Table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
            list.Add(LedgerEntry.FromEntity(e));
        return list;
    }

    /// <summary>
    /// Replaces entries only if unchanged since read (ETag). A whole partition batch is tried first;
    /// if another worker changed one of them, each is tried alone. Returns the entries written, with new ETags.
    /// </summary>
    public async Task<List<LedgerEntry>> TryUpdateAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken ct = default)
    {
        var written = new List<LedgerEntry>();
        foreach (var partition in entries.GroupBy(e => e.PartitionKey))
        foreach (var chunk in partition.Chunk(TableBatches.MaxBatch))
        {
            try
            {
                var response = await Table.SubmitTransactionAsync(
                    chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpdateReplace, e.ToEntity(), e.ETag)), ct);
                for (var i = 0; i < chunk.Length; i++)
                    written.Add(chunk[i] with { ETag = response.Value[i].Headers.ETag ?? default });
            }
            catch (TableTransactionFailedException e) when (e.Status is 412 or 404)
            {
                foreach (var entry in chunk)
                {
                    try
                    {
                        var r = await Table.UpdateEntityAsync(entry.ToEntity(), entry.ETag, TableUpdateMode.Replace, ct);
                        written.Add(entry with { ETag = r.Headers.ETag ?? default });
                    }
                    catch (RequestFailedException c) when (c.Status is 412 or 404) { }
                }
            }
        }
        return written;
    }
}

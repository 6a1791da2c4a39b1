using Azure;
using Azure.Data.Tables;
using DeadlineAlerts.Core.Pipeline;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Storage.Records;
using NodaTime;

namespace DeadlineAlerts.Storage.Ledger;

/// <summary>
/// One delivery of one message to one channel: the ledger row that makes "sent once" true. Its key comes from
/// the message (<see cref="LedgerKeys"/>), so whoever plans or delivers it finds the same row. Its state moves
/// only through the methods below, each checked against <see cref="LedgerStatuses.CanMove"/>; no other code
/// sets <see cref="Status"/>.
/// </summary>
public sealed record LedgerEntry
{
    public required string PartitionKey { get; init; }
    public required string RowKey { get; init; }
    public required MessageId MessageId { get; init; }
    public required DeadlineId DeadlineId { get; init; }
    public required SubscriberId SubscriberId { get; init; }
    public required ChannelId ChannelId { get; init; }
    public required string ChannelType { get; init; }
    public MessageKind Kind { get; init; } = MessageKind.Alert;
    /// <summary>ISO 8601 lead time of an alert; null for a notice or digest.</summary>
    public string? LeadTime { get; init; }
    /// <summary>For a notice, the id of the deadline's history entry it reports (<see cref="Core.Records.HistoryEntry.Id"/>).</summary>
    public string? Ref { get; init; }
    /// <summary>When it is to be sent.</summary>
    public required Instant FireAt { get; init; }
    public required Instant DueAt { get; init; }
    public LedgerStatus Status { get; private init; }
    /// <summary>For a digest: the local date of its period (<see cref="DigestPeriod.Key"/>).</summary>
    public string? DigestPeriod { get; init; }
    public bool Late { get; init; }
    public Instant PlannedAt { get; init; }
    /// <summary>Sends tried: each outcome counts one, and so does a claim whose worker vanished (it may have sent).</summary>
    public int Attempts { get; private init; }
    public string? LastError { get; private init; }
    public string? ProviderMessageId { get; private init; }
    public Instant? CompletedAt { get; private init; }
    public Instant? LeaseUntil { get; private init; }
    public Instant? NextAttemptAt { get; private init; }
    public ETag ETag { get; init; }

    public bool IsFinal => Status.IsFinal();

    /// <summary>When this row next needs someone to act, if it is not final: its send time, its lease's end, its retry time.</summary>
    public Instant? NextActionAt => Status switch
    {
        LedgerStatus.Planned => FireAt,
        LedgerStatus.Sending => LeaseUntil,
        LedgerStatus.Retrying => NextAttemptAt,
        _ => null,
    };

    /// <summary>The row a dispatch becomes: planned, or at once final when the dispatch is to be recorded and not sent.</summary>
    public static LedgerEntry Plan(Dispatch d, Instant now)
    {
        var (pk, rk) = LedgerKeys.Of(d);
        var (status, reason) = d switch
        {
            { Skip: { Kind: SkipKind.Unreadable } s } => (LedgerStatus.Failed, s.Reason),
            { Skip: { Kind: SkipKind.Superseded } s } => (LedgerStatus.Superseded, s.Reason),
            { Skip: { Kind: SkipKind.Acknowledged } s } => (LedgerStatus.Acknowledged, s.Reason),
            { Skip: { } s } => (LedgerStatus.Skipped, s.Reason),
            // The broken-channel rule, written once: nothing is sent to a channel the receiver said is gone.
            { ChannelBroken: { } broken } => (LedgerStatus.Skipped, $"channel is marked broken: {broken}"),
            _ => (LedgerStatus.Planned, (string?)null),
        };
        return new LedgerEntry
        {
            PartitionKey = pk,
            RowKey = rk,
            MessageId = d.MessageId,
            DeadlineId = d.DeadlineId,
            SubscriberId = d.SubscriberId,
            ChannelId = d.ChannelId,
            ChannelType = d.ChannelType,
            Kind = d.Kind,
            LeadTime = d.LeadTime,
            Ref = d.Ref,
            DigestPeriod = d.DigestPeriod,
            FireAt = d.SendAt,
            DueAt = d.DueAt,
            Late = d.Late,
            PlannedAt = now,
            Status = status,
            LastError = reason,
            CompletedAt = status.IsFinal() ? now : null,
        };
    }

    /// <summary>A row written already cancelled: an alert that a milestone stopped before any tick planned it.</summary>
    public static LedgerEntry PlanCancelled(Dispatch d, Instant now, string reason) => Plan(d, now) with
    {
        Status = LedgerStatus.Cancelled,
        LastError = reason,
        CompletedAt = now,
    };

    private LedgerEntry Move(LedgerStatus to) => LedgerStatuses.CanMove(Status, to)
        ? this with { Status = to }
        : throw new InvalidOperationException($"ledger row {RowKey} cannot move from {Status.Wire()} to {to.Wire()}");

    /// <summary>A worker takes the row until <paramref name="leaseUntil"/>. Re-claiming a row whose lease ran out counts
    /// the vanished worker's attempt.</summary>
    public LedgerEntry Claim(Instant leaseUntil) => Move(LedgerStatus.Sending) with
    {
        Attempts = Status == LedgerStatus.Sending ? Attempts + 1 : Attempts,
        LeaseUntil = leaseUntil,
        NextAttemptAt = null,
    };

    public LedgerEntry Deliver(Instant at, string? providerMessageId) => Move(LedgerStatus.Delivered) with
    {
        Attempts = Attempts + 1,
        CompletedAt = at,
        ProviderMessageId = providerMessageId,
        LastError = null,
        LeaseUntil = null,
    };

    public LedgerEntry Retry(Instant at, Instant nextAttemptAt, string? reason) => Move(LedgerStatus.Retrying) with
    {
        Attempts = Attempts + 1,
        LastError = reason,
        NextAttemptAt = nextAttemptAt,
        LeaseUntil = null,
    };

    /// <param name="sent">Whether a send was tried (a permanent refusal) or not (a record it needs is gone or unreadable).</param>
    public LedgerEntry Fail(Instant at, string reason, bool sent) => Move(LedgerStatus.Failed) with
    {
        Attempts = sent ? Attempts + 1 : Attempts,
        LastError = reason,
        CompletedAt = at,
        LeaseUntil = null,
        NextAttemptAt = null,
    };

    /// <summary>Stopped before it was sent: nothing went out, so attempts stay as they were.</summary>
    public LedgerEntry Cancel(Instant at, string reason) => Move(LedgerStatus.Cancelled) with
    {
        LastError = reason,
        CompletedAt = at,
        LeaseUntil = null,
        NextAttemptAt = null,
    };

    /// <summary>Stopped before it was sent because the subscriber acknowledged the deadline ("Got it"); attempts stay as they were.</summary>
    public LedgerEntry Acknowledge(Instant at, string reason) => Move(LedgerStatus.Acknowledged) with
    {
        LastError = reason,
        CompletedAt = at,
        LeaseUntil = null,
        NextAttemptAt = null,
    };

    /// <summary>What a planned row holds, for a queue message that lets delivery claim the row without reading it.</summary>
    public PlannedRow ToPlannedRow() => Status == LedgerStatus.Planned
        ? new(MessageId.Value, DeadlineId.Value, SubscriberId.Value, ChannelId.Value, ChannelType, Kind == MessageKind.Alert ? null : Kind.Wire(), LeadTime, Ref, DigestPeriod,
            RecordEntities.Iso(FireAt), RecordEntities.Iso(DueAt), RecordEntities.Iso(PlannedAt), Late)
        : throw new InvalidOperationException($"ledger row {RowKey} is {Status.Wire()}, not planned");

    /// <summary>The planned row <paramref name="s"/> describes, as stored with <paramref name="etag"/>.</summary>
    public static LedgerEntry FromPlannedRow(string partitionKey, string rowKey, ETag etag, PlannedRow s) => new()
    {
        PartitionKey = partitionKey,
        RowKey = rowKey,
        MessageId = s.MessageId,
        DeadlineId = s.DeadlineId,
        SubscriberId = s.SubscriberId,
        ChannelId = s.ChannelId,
        ChannelType = s.ChannelType,
        Kind = MessageKinds.Parse(s.Kind) ?? throw new FormatException($"ledger row {rowKey}: Kind \"{s.Kind}\" is unknown"),
        LeadTime = s.LeadTime,
        Ref = s.Ref,
        DigestPeriod = s.DigestPeriod,
        FireAt = RecordEntities.ParseInstant(s.FireAt),
        DueAt = RecordEntities.ParseInstant(s.DueAt),
        PlannedAt = RecordEntities.ParseInstant(s.PlannedAt),
        Late = s.Late,
        Status = LedgerStatus.Planned,
        ETag = etag,
    };

    /// <summary>Only for alert rows: the alert the row delivers, or null when its stored lead time cannot be read.</summary>
    public PlannedAlert? ToPlannedAlert() =>
        Kind == MessageKind.Alert && Core.Schedule.LeadTime.TryParse(LeadTime, out var lead, out _)
            ? new(MessageId, DeadlineId, SubscriberId, lead, FireAt, DueAt)
            : null;

    public TableEntity ToEntity() => new(PartitionKey, RowKey)
    {
        ["AlertId"] = MessageId.Value,
        ["DeadlineId"] = DeadlineId.Value,
        ["SubscriberId"] = SubscriberId.Value,
        ["ChannelId"] = ChannelId.Value,
        ["ChannelType"] = ChannelType,
        ["Kind"] = Kind == MessageKind.Alert ? null : Kind.Wire(),
        ["LeadTime"] = LeadTime,
        ["Ref"] = Ref,
        ["FireAt"] = RecordEntities.Iso(FireAt),
        ["DueAt"] = RecordEntities.Iso(DueAt),
        ["Status"] = Status.Wire(),
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

    /// <summary>Reads a stored row; a row this version cannot read (an unknown kind or status) is a <see cref="FormatException"/>.</summary>
    public static LedgerEntry FromEntity(TableEntity e) => new()
    {
        PartitionKey = e.PartitionKey,
        RowKey = e.RowKey,
        MessageId = e.GetString("AlertId") ?? "",
        DeadlineId = e.GetString("DeadlineId") ?? "",
        SubscriberId = e.GetString("SubscriberId") ?? "",
        ChannelId = e.GetString("ChannelId") ?? "",
        ChannelType = e.GetString("ChannelType") ?? "",
        Kind = MessageKinds.Parse(e.GetString("Kind")) ?? throw new FormatException($"ledger row {e.RowKey}: Kind \"{e.GetString("Kind")}\" is unknown"),
        LeadTime = e.GetString("LeadTime"),
        Ref = e.GetString("Ref"),
        FireAt = RecordEntities.ParseInstant(e.GetString("FireAt")),
        DueAt = RecordEntities.ParseInstant(e.GetString("DueAt")),
        Status = LedgerStatuses.Parse(e.GetString("Status")) ?? throw new FormatException($"ledger row {e.RowKey}: Status \"{e.GetString("Status")}\" is unknown"),
        DigestPeriod = e.GetString("DigestPeriod"),
        Late = e.GetBoolean("Late") ?? false,
        PlannedAt = RecordEntities.ParseInstant(e.GetString("PlannedAt")),
        Attempts = e.GetInt32("Attempts") ?? 0,
        LastError = NonEmpty(e.GetString("LastError")),
        ProviderMessageId = NonEmpty(e.GetString("ProviderMessageId")),
        CompletedAt = Optional(e.GetString("CompletedAt")),
        LeaseUntil = Optional(e.GetString("LeaseUntil")),
        NextAttemptAt = Optional(e.GetString("NextAttemptAt")),
        ETag = e.ETag,
    };

    /// <summary>State columns are cleared by writing "" (a merge cannot remove a column), so "" reads as absent.</summary>
    private static Instant? Optional(string? text) => string.IsNullOrEmpty(text) ? null : RecordEntities.ParseInstant(text);

    private static string? NonEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    /// <summary>
    /// The columns a transition changes (<see cref="Claim"/>, <see cref="Deliver"/>, <see cref="Retry"/>,
    /// <see cref="Fail"/>, <see cref="Cancel"/>), for a merge: what was planned never changes after the row is
    /// written, so a transition writes only its state, with "" for a column it clears.
    /// </summary>
    public TableEntity ToStateEntity() => new(PartitionKey, RowKey)
    {
        ["Status"] = Status.Wire(),
        ["Attempts"] = Attempts,
        ["LastError"] = LastError ?? "",
        ["ProviderMessageId"] = ProviderMessageId ?? "",
        ["CompletedAt"] = CompletedAt is { } c ? RecordEntities.Iso(c) : "",
        ["LeaseUntil"] = LeaseUntil is { } l ? RecordEntities.Iso(l) : "",
        ["NextAttemptAt"] = NextAttemptAt is { } n ? RecordEntities.Iso(n) : "",
    };
}

/// <summary>
/// A planned ledger row's content, carried in its queue message (<see cref="Queue.DeliveryRef.Planned"/>); status
/// planned, no attempts, as <see cref="LedgerEntry.Plan"/> wrote it.
/// </summary>
public sealed record PlannedRow(
    [property: System.Text.Json.Serialization.JsonPropertyName("id")] string MessageId,
    [property: System.Text.Json.Serialization.JsonPropertyName("dl")] string DeadlineId,
    [property: System.Text.Json.Serialization.JsonPropertyName("sb")] string SubscriberId,
    [property: System.Text.Json.Serialization.JsonPropertyName("ch")] string ChannelId,
    [property: System.Text.Json.Serialization.JsonPropertyName("ct")] string ChannelType,
    [property: System.Text.Json.Serialization.JsonPropertyName("k")] string? Kind,
    [property: System.Text.Json.Serialization.JsonPropertyName("lt")] string? LeadTime,
    [property: System.Text.Json.Serialization.JsonPropertyName("rf")] string? Ref,
    [property: System.Text.Json.Serialization.JsonPropertyName("dp")] string? DigestPeriod,
    [property: System.Text.Json.Serialization.JsonPropertyName("f")] string FireAt,
    [property: System.Text.Json.Serialization.JsonPropertyName("du")] string DueAt,
    [property: System.Text.Json.Serialization.JsonPropertyName("pa")] string PlannedAt,
    [property: System.Text.Json.Serialization.JsonPropertyName("la")] bool Late)
{
    public static PlannedRow Of(LedgerEntry e) => e.ToPlannedRow();
    public LedgerEntry ToEntry(string partitionKey, string rowKey, ETag etag) => LedgerEntry.FromPlannedRow(partitionKey, rowKey, etag, this);
}

/// <summary>The alert ledger table: the named source of truth for what was planned, sent, failed or skipped.</summary>
public sealed class AlertLedger(StorageClients clients)
{
    private TableClient Table => clients.Table(clients.Names.Ledger);

    /// <summary>Inserts entries that are not there yet (batched, per partition at once); returns the ones this call inserted.</summary>
    public async Task<List<LedgerEntry>> AddMissingAsync(IEnumerable<LedgerEntry> entries, CancellationToken ct = default)
    {
        var byKey = entries.DistinctBy(e => (e.PartitionKey, e.RowKey)).ToDictionary(e => (e.PartitionKey, e.RowKey));
        var inserted = await TableBatches.AddMissingAsync(Table, byKey.Values.Select(e => e.ToEntity()), ct);
        return inserted.Select(e => byKey[(e.PartitionKey, e.RowKey)] with { ETag = e.ETag }).ToList();
    }

    /// <summary>The entries with these keys, read with one range query per partition (a queue message is one partition).</summary>
    public async Task<List<LedgerEntry>> GetAsync(IEnumerable<(string PartitionKey, string RowKey)> keys, CancellationToken ct = default)
    {
        var reads = keys.GroupBy(k => k.PartitionKey).Select(async partition =>
        {
            var wanted = partition.Select(k => k.RowKey).ToHashSet(StringComparer.Ordinal);
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey eq {partition.Key} and RowKey ge {wanted.Min(StringComparer.Ordinal)} and RowKey le {wanted.Max(StringComparer.Ordinal)}");
            return (await QueryAsync(filter, ct)).Where(e => wanted.Contains(e.RowKey)).ToList();
        });
        return (await Task.WhenAll(reads)).SelectMany(r => r).ToList();
    }

    public async Task<List<LedgerEntry>> QueryAsync(string? filter, CancellationToken ct = default)
    {
        var list = new List<LedgerEntry>();
        await foreach (var e in Table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            try { list.Add(LedgerEntry.FromEntity(e)); }
            catch (FormatException) { /* a row of a newer version: left for that version */ }
        }
        return list;
    }

    /// <summary>
    /// Writes entries' transitions only if unchanged since read (ETag), as a merge of their state columns
    /// (<see cref="LedgerEntry.ToStateEntity"/>: a few bytes instead of the whole row, and in place). A whole partition
    /// batch is tried first; if another worker changed one of them, each is tried alone. Returns the entries
    /// written, with new ETags.
    /// </summary>
    public async Task<List<LedgerEntry>> TryUpdateAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken ct = default)
    {
        var chunks = entries.GroupBy(e => e.PartitionKey).SelectMany(p => p.Chunk(TableBatches.MaxBatch));
        var written = await Task.WhenAll(chunks.Select(chunk => UpdateChunkAsync(chunk, ct)));
        return written.SelectMany(w => w).ToList();
    }

    /// <summary>
    /// Claims rows that were planned and untouched since their ETag (a planned row's first claim changes only its
    /// status and lease, see <see cref="LedgerEntry.Claim"/>): writes just those two columns, conditional on the ETag,
    /// so a claim moves a few bytes instead of the whole row. Returns the rows claimed, with new ETags.
    /// </summary>
    public async Task<List<LedgerEntry>> TryClaimPlannedAsync(IReadOnlyList<LedgerEntry> claims, CancellationToken ct = default)
    {
        if (claims.Any(c => c.Status != LedgerStatus.Sending || c.Attempts != 0 || c.NextAttemptAt is not null))
            throw new ArgumentException("only first claims of planned rows are written as a merge", nameof(claims));
        var chunks = claims.GroupBy(e => e.PartitionKey).SelectMany(p => p.Chunk(TableBatches.MaxBatch));
        var written = await Task.WhenAll(chunks.Select(chunk => UpdateChunkAsync(chunk, ClaimColumns, TableUpdateMode.Merge, ct)));
        return written.SelectMany(w => w).ToList();
    }

    private static TableEntity ClaimColumns(LedgerEntry e) => new(e.PartitionKey, e.RowKey)
    {
        ["Status"] = e.Status.Wire(),
        ["LeaseUntil"] = e.LeaseUntil is { } l ? RecordEntities.Iso(l) : null,
    };

    private Task<List<LedgerEntry>> UpdateChunkAsync(LedgerEntry[] chunk, CancellationToken ct) =>
        UpdateChunkAsync(chunk, e => e.ToStateEntity(), TableUpdateMode.Merge, ct);

    private async Task<List<LedgerEntry>> UpdateChunkAsync(LedgerEntry[] chunk, Func<LedgerEntry, TableEntity> columns, TableUpdateMode mode, CancellationToken ct)
    {
        var action = mode == TableUpdateMode.Merge ? TableTransactionActionType.UpdateMerge : TableTransactionActionType.UpdateReplace;
        var written = new List<LedgerEntry>();
        try
        {
            var response = await Table.SubmitTransactionAsync(
                chunk.Select(e => new TableTransactionAction(action, columns(e), e.ETag)), ct);
            for (var i = 0; i < chunk.Length; i++)
                written.Add(chunk[i] with { ETag = response.Value[i].Headers.ETag ?? default });
        }
        catch (TableTransactionFailedException e) when (e.Status is 412 or 404)
        {
            foreach (var entry in chunk)
            {
                try
                {
                    var r = await Table.UpdateEntityAsync(columns(entry), entry.ETag, mode, ct);
                    written.Add(entry with { ETag = r.Headers.ETag ?? default });
                }
                catch (RequestFailedException c) when (c.Status is 412 or 404) { }
            }
        }
        return written;
    }
}

using Azure;
using Azure.Data.Tables;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Storage.Records;
using NodaTime;

namespace DeadlineAlerts.Storage.Schedule;

/// <summary>
/// The scan checkpoint (the end of the last completed tick's window) and the moment the installation
/// first stored anything, which starts the first window when there is no checkpoint yet.
/// </summary>
public sealed class TickState(StorageClients clients)
{
    private const string Partition = "state";
    private const string CheckpointKey = "scan-checkpoint";
    private const string FirstStoredKey = "first-stored";
    private const string PlannedTzdbKey = "tzdb-planned";

    private TableClient Table => clients.Table(clients.Names.State);

    public async Task<Instant?> CheckpointAsync(CancellationToken ct = default) => await ReadAsync(CheckpointKey, ct);

    public async Task<Instant?> FirstStoredAsync(CancellationToken ct = default) => await ReadAsync(FirstStoredKey, ct);

    /// <summary>
    /// Up to where the tick has read the schedule: the checkpoint, else just before the first store (the first
    /// window includes the first stored moment); null when nothing was ever stored.
    /// </summary>
    public async Task<Instant?> HandledUpToAsync(CancellationToken ct = default) =>
        await CheckpointAsync(ct) ?? (await FirstStoredAsync(ct)) - Duration.Epsilon;

    /// <summary>
    /// Moves the checkpoint forward to <paramref name="to"/>, the end of a completed tick's window; never back
    /// (two ticks may finish in any order). The same row says what that tick planned, so a tick costs one
    /// state write; <see cref="LastTickReportAsync"/> reads it back for the health check.
    /// </summary>
    public Task AdvanceCheckpointAsync(Instant to, int planned = 0, CancellationToken ct = default) =>
        KeepAsync(CheckpointKey, to, later: true, ct, planned);

    /// <summary>Also records the records and rows the tick could not read (a count and their names), for health.</summary>
    public Task AdvanceCheckpointAsync(Instant to, int planned, IReadOnlyCollection<UnreadableRecord> unreadable, CancellationToken ct = default) =>
        KeepAsync(CheckpointKey, to, later: true, ct, planned, unreadable);

    /// <summary>The last completed tick, read once for the health check: when it ended (null: none yet) and what it
    /// could not read (how many, and the first few named).</summary>
    public async Task<(Instant? At, int Unreadable, string? UnreadableNames)> LastTickReportAsync(CancellationToken ct = default)
    {
        var r = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, CheckpointKey, cancellationToken: ct);
        return r.HasValue
            ? (RecordEntities.ParseInstant(r.Value!.GetString("At")), r.Value.GetInt32("Unreadable") ?? 0, r.Value.GetString("UnreadableNames"))
            : (null, 0, null);
    }

    /// <summary>
    /// Records that something was stored at <paramref name="at"/>, keeping the earliest. The first store also
    /// records <paramref name="tzdb"/>, the tz data version its schedule rows were planned with (no extra request:
    /// the same row).
    /// </summary>
    public Task NoteStoredAsync(Instant at, string? tzdb = null, CancellationToken ct = default) =>
        KeepAsync(FirstStoredKey, at, later: false, ct, tzdbIfNew: tzdb);

    /// <summary>
    /// The tz data version the installation's schedule was planned with: the last re-plan's, else the first
    /// store's; null when nothing says (nothing stored yet, or stored before versions were recorded).
    /// </summary>
    public async Task<(string? Version, bool AnythingStored)> PlannedTzdbAsync(CancellationToken ct = default)
    {
        var replanned = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, PlannedTzdbKey, cancellationToken: ct);
        if (replanned.HasValue && replanned.Value!.GetString("Version") is { Length: > 0 } v) return (v, true);
        var first = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, FirstStoredKey, cancellationToken: ct);
        return first.HasValue ? (first.Value!.GetString("Tzdb") is { Length: > 0 } f ? f : null, true) : (null, false);
    }

    /// <summary>Records that every future alert is now planned with tz data <paramref name="version"/> (a re-plan's last step).</summary>
    public async Task NotePlannedTzdbAsync(string version, Instant at, CancellationToken ct = default) =>
        await Table.UpsertEntityAsync(new TableEntity(Partition, PlannedTzdbKey) { ["Version"] = version, ["At"] = RecordEntities.Iso(at) },
            TableUpdateMode.Replace, ct);


    private async Task<Instant?> ReadAsync(string key, CancellationToken ct)
    {
        var r = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, key, cancellationToken: ct);
        return r.HasValue ? RecordEntities.ParseInstant(r.Value!.GetString("At")) : null;
    }

    private async Task KeepAsync(string key, Instant value, bool later, CancellationToken ct, int? planned = null,
        IReadOnlyCollection<UnreadableRecord>? unreadable = null, string? tzdbIfNew = null)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var r = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, key, cancellationToken: ct);
            var entity = new TableEntity(Partition, key) { ["At"] = RecordEntities.Iso(value) };
            if (planned is { } p) entity["Planned"] = p;
            if (unreadable is not null)
            {
                entity["Unreadable"] = unreadable.Count;
                entity["UnreadableNames"] = unreadable.Count == 0 ? null
                    : string.Join(", ", unreadable.Take(10).Select(u => $"{u.RecordKind} {u.Id} ({u.Field})")) + (unreadable.Count > 10 ? ", …" : "");
            }
            try
            {
                if (!r.HasValue)
                {
                    if (tzdbIfNew is not null) entity["Tzdb"] = tzdbIfNew;
                    await Table.AddEntityAsync(entity, ct);
                    return;
                }
                var current = RecordEntities.ParseInstant(r.Value!.GetString("At"));
                if (later ? current >= value : current <= value) return;
                if (r.Value.GetString("Tzdb") is { } kept) entity["Tzdb"] = kept;
                await Table.UpdateEntityAsync(entity, r.Value.ETag, TableUpdateMode.Replace, ct);
                return;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412) { /* another writer: read again */ }
        }
    }
}

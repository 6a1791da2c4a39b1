using Azure;
using DeadlineAlerts.App.Records;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Records;
using NodaTime;

namespace DeadlineAlerts.App.Acknowledge;

/// <summary>
/// Pauses a subscriber until an instant, or lifts the pause: a write of the subscriber record through
/// <see cref="RecordWriter"/> (so the schedule is re-planned and the audit log says <c>paused</c> or <c>resumed</c>,
/// by whom), conditional on the ETag the caller read. The API's pause routes and, later, a CLI command call it.
/// </summary>
public sealed class PauseService(RecordStore records, RecordWriter writer, IClock clock)
{
    /// <summary>Why a pause that ends before now is refused (the message of the <see cref="ArgumentOutOfRangeException"/>).</summary>
    public const string NotInFuture = "is not in the future; give an instant after now, or lift the pause (DELETE it)";

    /// <summary>
    /// Sets <see cref="Subscriber.PausedUntil"/> to <paramref name="until"/> (null lifts the pause) on
    /// <paramref name="stored"/>, written only if the record still has <paramref name="ifMatch"/>
    /// (<see cref="ETag.All"/>: whatever it is). Lengthening or shortening a pause that is on keeps when it began.
    /// Returns the record as stored, unchanged (same ETag) when nothing changes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="until"/> is not after now.</exception>
    /// <exception cref="RequestFailedException">412 or 404: the record changed or went since it was read.</exception>
    public async Task<Stored<Subscriber>> SetAsync(Stored<Subscriber> stored, Instant? until, string actor, ETag ifMatch, CancellationToken ct = default)
    {
        var now = clock.GetCurrentInstant();
        if (until is { } u && u <= now)
            throw new ArgumentOutOfRangeException(nameof(until), u, NotInFuture);
        var before = stored.Value;
        var after = until is { } end
            ? before with { PausedUntil = end, PausedSince = before.PausedUntil is { } old && old > now ? before.PausedSince : now }
            : before with { PausedUntil = null, PausedSince = null };
        if (RecordWriter.Same(before, after)) return stored;
        var summary = until is { } e2 ? SubscriberControlTexts.PausedSummary(TimeText.Iso(e2)) : SubscriberControlTexts.ResumedSummary;
        var write = await writer.WriteAsync([], [new SubscriberChange(before, after, until is null ? AuditAction.Resumed : AuditAction.Paused) { Summary = summary }], actor,
            c => records.ReplaceSubscriberAsync(after, ifMatch, c), ct: ct);
        return new Stored<Subscriber>(after, write.Result);
    }
}

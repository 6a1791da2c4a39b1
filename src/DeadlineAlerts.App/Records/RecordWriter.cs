using Azure;
using Azure.Data.Tables;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Core.Time;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Storage.Schedule;
using NodaTime;

namespace DeadlineAlerts.App.Records;

/// <summary>A deadline as it was and as it becomes: Before null means created, After null means deleted.
/// <see cref="Summary"/> replaces the field-by-field audit summary when the change has better words
/// ("Extended by 90 days ...").</summary>
public sealed record DeadlineChange(Deadline? Before, Deadline? After, string Action)
{
    public string? Summary { get; init; }
}

/// <summary>A subscriber as it was and as it becomes: Before null means created, After null means deleted.</summary>
public sealed record SubscriberChange(Subscriber? Before, Subscriber? After, string Action)
{
    public string? Summary { get; init; }
}

/// <summary>
/// Storage refused a write for its content (a 400 or 413 such as PropertyValueTooLarge) although the records were
/// validated: the message names the records of the write, the status and storage's error code, never a URL or key.
/// </summary>
public sealed class StorageRefusedException(IReadOnlyList<string> records, int status, string? errorCode, Exception inner)
    : Exception($"Storage refused to store {Names(records)} ({status} {errorCode}); the record is larger or stranger than the table holds. " +
                "Shorten its longest fields (README \"Limits\") and try again.", inner)
{
    public IReadOnlyList<string> Records { get; } = records;
    public int Status { get; } = status;
    public string? ErrorCode { get; } = errorCode;

    private static string Names(IReadOnlyList<string> records) =>
        records.Count <= 5 ? string.Join(", ", records) : string.Join(", ", records.Take(5)) + $" and {records.Count - 5} more";
}

/// <summary>What a write did: the store callback's result and how many alerts it (re)armed.</summary>
public sealed record RecordWrite<T>(T Result, int AlertsScheduled);

/// <summary>
/// The one path by which records change (import, the API, extend/resolve/cancel), so every change re-plans
/// the schedule and leaves an audit entry the same way:
/// <list type="number">
/// <item>plan every alert of each changed (deadline, subscriber) pair and write the schedule rows;</item>
/// <item>write the records (the caller's callback: a batch upsert, or a conditional insert/replace/delete);</item>
/// <item>note that the installation has stored something (the first tick window starts there);</item>
/// <item>append one audit entry per changed record.</item>
/// </list>
/// Schedule rows go first because a crash or a refused conditional write after them leaves only rows that
/// match no stored record, which the tick ignores; the other order could store a record whose alerts were
/// never planned. The audit entries go last so that a write refused with 409/412 is not recorded as made;
/// a crash between the record write and the audit append loses that one entry, which is the smaller harm.
/// </summary>
public sealed class RecordWriter(RecordStore records, ScheduleIndex schedule, TickState state, AuditLog audit, IClock clock, TimeZoneData tzdata)
{
    /// <param name="allDeadlines">Every stored deadline, if the caller has already read them (import has);
    /// otherwise they are read here when a changed subscriber needs them.</param>
    /// <param name="allSubscribers">The same for subscribers.</param>
    public async Task<RecordWrite<T>> WriteAsync<T>(
        IReadOnlyCollection<DeadlineChange> deadlines, IReadOnlyCollection<SubscriberChange> subscribers, string actor,
        Func<CancellationToken, Task<T>> store,
        IReadOnlyDictionary<DeadlineId, Deadline>? allDeadlines = null, IReadOnlyDictionary<SubscriberId, Subscriber>? allSubscribers = null,
        CancellationToken ct = default)
    {
        var now = clock.GetCurrentInstant();
        var armedDeadlines = deadlines.Select(c => c.After).OfType<Deadline>().ToList();
        var armedSubscribers = subscribers.Select(c => c.After).OfType<Subscriber>().ToList();
        // Before anything is written: every record must fit its table row, or none is written.
        var tooLarge = armedDeadlines.SelectMany(RecordEntities.SizeProblems).Concat(armedSubscribers.SelectMany(RecordEntities.SizeProblems)).ToList();
        if (tooLarge.Count > 0) throw new RecordValidationException(tooLarge);
        try
        {
            return await WriteCheckedAsync(deadlines, subscribers, actor, store, allDeadlines, allSubscribers, armedDeadlines, armedSubscribers, now, ct);
        }
        catch (RequestFailedException e) when (e.Status is 400 or 413)
        {
            // Storage refused a request for its content (PropertyValueTooLarge, EntityTooLarge, InvalidInput, ...):
            // a record this version let through. Name the records, so the operator knows which input to look at.
            var names = deadlines.Select(c => $"deadline {(c.After ?? c.Before)!.Id}").Concat(subscribers.Select(c => $"subscriber {(c.After ?? c.Before)!.Id}")).ToList();
            throw new StorageRefusedException(names, e.Status, e.ErrorCode, e);
        }
    }

    private async Task<RecordWrite<T>> WriteCheckedAsync<T>(
        IReadOnlyCollection<DeadlineChange> deadlines, IReadOnlyCollection<SubscriberChange> subscribers, string actor,
        Func<CancellationToken, Task<T>> store,
        IReadOnlyDictionary<DeadlineId, Deadline>? allDeadlines, IReadOnlyDictionary<SubscriberId, Subscriber>? allSubscribers,
        List<Deadline> armedDeadlines, List<Subscriber> armedSubscribers, Instant now, CancellationToken ct)
    {

        var alerts = new List<PlannedAlert>();
        if (armedDeadlines.Count > 0)
        {
            var subs = Overlay(allSubscribers ?? (await records.ListSubscribersAsync(ct)).ToDictionary(s => s.Id), subscribers, c => c.Before?.Id ?? c.After!.Id, c => c.After);
            alerts.AddRange(armedDeadlines.SelectMany(d => subs.Values.SelectMany(s => AlertPlanner.Plan(d, s, now))));
        }
        if (armedSubscribers.Count > 0)
        {
            var dls = Overlay(allDeadlines ?? (await records.ListDeadlinesAsync(ct)).ToDictionary(d => d.Id), deadlines, c => c.Before?.Id ?? c.After!.Id, c => c.After);
            alerts.AddRange(armedSubscribers.SelectMany(s => dls.Values.SelectMany(d => AlertPlanner.Plan(d, s, now))));
        }
        alerts = alerts.DistinctBy(a => a.Id).ToList();
        // A recurring deadline's schedule holds a rolling horizon of occurrences; its mark tells the tick when to extend it.
        var marks = armedDeadlines.Select(d => (d.Id, At: Occurrences.HorizonMark(d, now))).Where(m => m.At is not null).Select(m => (m.Id, m.At!.Value)).ToList();

        if (alerts.Count > 0) await schedule.AddAsync(alerts, ct);
        if (marks.Count > 0) await schedule.AddHorizonMarksAsync(marks, ct);
        var result = await store(ct);
        if (armedDeadlines.Count + armedSubscribers.Count > 0) await state.NoteStoredAsync(now, tzdata.Version, ct);
        static AuditEntry Worded(AuditEntry e, string? summary) => summary is null ? e : e with { Summary = summary };
        var entries = deadlines.Select(c => Worded(AuditEntries.For(now, actor, c.Action, c.Before, c.After), c.Summary))
            .Concat(subscribers.Select(c => Worded(AuditEntries.For(now, actor, c.Action, c.Before, c.After), c.Summary)))
            .ToList();
        if (entries.Count > 0) await audit.AppendAsync(entries, ct);
        return new RecordWrite<T>(result, alerts.Count);
    }

    public Task<RecordWrite<bool>> WriteAsync(
        IReadOnlyCollection<DeadlineChange> deadlines, IReadOnlyCollection<SubscriberChange> subscribers, string actor,
        Func<CancellationToken, Task> store, CancellationToken ct = default) =>
        WriteAsync(deadlines, subscribers, actor, async c => { await store(c); return true; }, ct: ct);

    private static Dictionary<TId, TRecord> Overlay<TId, TRecord, TChange>(IReadOnlyDictionary<TId, TRecord> stored, IEnumerable<TChange> changes,
        Func<TChange, TId> id, Func<TChange, TRecord?> after) where TRecord : class where TId : notnull
    {
        var all = new Dictionary<TId, TRecord>(stored);
        foreach (var c in changes)
        {
            if (after(c) is { } a) all[id(c)] = a;
            else all.Remove(id(c));
        }
        return all;
    }

    /// <summary>
    /// What an incoming deadline (a file's, a PUT body's) keeps from the stored one. History is server-owned
    /// (extend, resolve and cancel write it), so it is never replaced or wiped. The same due instant keeps its
    /// arming moment: editing a title must not re-arm alerts that were already passed over; a new due instant
    /// is armed now.
    /// </summary>
    public static Deadline KeepStoredState(Deadline incoming, Deadline stored)
    {
        var d = incoming with { History = stored.History };
        return stored.Due.Instant == d.Due.Instant ? d with { ArmedAt = stored.ArmedAt } : d;
    }

    /// <summary>
    /// What an incoming subscriber keeps from the stored one: when it was created, and per channel (matched by
    /// <see cref="ChannelSpec.Id"/>) its broken mark and, when the incoming record gave no secret and the reader
    /// therefore generated one, the stored secret: re-sending a record must not rotate receivers' keys. Such
    /// a generated secret is taken out of <paramref name="generated"/>, so it is never shown. An unchanged pause keeps
    /// when it began (<see cref="Subscriber.PausedSince"/>).
    /// </summary>
    public static Subscriber KeepStoredState(Subscriber incoming, Subscriber stored, List<(SubscriberId SubscriberId, ChannelId ChannelId, string Secret)> generated) =>
        incoming with
        {
            CreatedAt = stored.CreatedAt,
            // The same pause keeps the moment it began: re-sending a record must not hold already-sent alerts again.
            PausedSince = incoming.PausedUntil is not null && incoming.PausedUntil == stored.PausedUntil ? stored.PausedSince : incoming.PausedSince,
            Channels = incoming.Channels.Select(c =>
            {
                var previous = stored.Channels.FirstOrDefault(p => p.Id == c.Id);
                if (previous is null) return c;
                var wasGenerated = generated.RemoveAll(g => g.SubscriberId == stored.Id && g.ChannelId == c.Id) > 0;
                return c with { Secret = wasGenerated ? previous.Secret : c.Secret, BrokenReason = previous.BrokenReason };
            }).ToList(),
        };

    /// <summary>True when storing <paramref name="b"/> over <paramref name="a"/> would change no stored field.</summary>
    public static bool Same(Deadline a, Deadline b) => Same(RecordEntities.From(a), RecordEntities.From(b));

    public static bool Same(Subscriber a, Subscriber b) => Same(RecordEntities.From(a), RecordEntities.From(b));

    private static bool Same(TableEntity a, TableEntity b) =>
        a.Keys.Where(k => k is not ("odata.etag" or "Timestamp")).OrderBy(k => k)
            .SequenceEqual(b.Keys.Where(k => k is not ("odata.etag" or "Timestamp")).OrderBy(k => k))
        && a.Where(kv => kv.Key is not ("odata.etag" or "Timestamp")).All(kv => Equals(kv.Value, b.TryGetValue(kv.Key, out var v) ? v : null));
}

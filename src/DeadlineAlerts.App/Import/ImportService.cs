using DeadlineAlerts.App.Records;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Records;

namespace DeadlineAlerts.App.Import;

public sealed record ImportResult(
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Updated,
    IReadOnlyList<string> Unchanged,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<(SubscriberId SubscriberId, ChannelId ChannelId, string Secret)> GeneratedSecrets,
    int AlertsScheduled);

/// <summary>
/// Stores a validated <see cref="RecordSet"/>: idempotent by id (the same file twice changes nothing and
/// so sends nothing). Planning, the order of writes and the audit entries (actor <c>import</c>, one per
/// added or updated record) are <see cref="RecordWriter"/>'s, shared with the API and the milestone commands.
/// </summary>
public sealed class ImportService(RecordStore records, RecordWriter writer)
{
    public const string Actor = "import";

    public async Task<ImportResult> ImportAsync(RecordSet set, CancellationToken ct = default)
    {
        var storedDeadlines = (await records.ListDeadlinesAsync(ct)).ToDictionary(d => d.Id);
        var storedSubscribers = (await records.ListSubscribersAsync(ct)).ToDictionary(s => s.Id);
        var added = new List<string>();
        var updated = new List<string>();
        var unchanged = new List<string>();
        var warnings = set.Warnings.ToList();

        var deadlineChanges = new List<DeadlineChange>();
        foreach (var incoming in set.Deadlines)
        {
            var d = incoming;
            if (storedDeadlines.TryGetValue(d.Id, out var old))
            {
                d = RecordWriter.KeepStoredState(d, old);
                if (RecordWriter.Same(old, d)) { unchanged.Add($"deadline {d.Id}"); continue; }
                updated.Add($"deadline {d.Id}");
            }
            else added.Add($"deadline {d.Id}");
            deadlineChanges.Add(new DeadlineChange(old, d, old is null ? AuditAction.Created : AuditAction.Updated));
        }

        var generated = set.GeneratedSecrets.ToList();
        var subscriberChanges = new List<SubscriberChange>();
        foreach (var incoming in set.Subscribers)
        {
            var s = incoming;
            if (storedSubscribers.TryGetValue(s.Id, out var old))
            {
                s = RecordWriter.KeepStoredState(s, old, generated);
                if (RecordWriter.Same(old, s)) { unchanged.Add($"subscriber {s.Id}"); continue; }
                updated.Add($"subscriber {s.Id}");
            }
            else added.Add($"subscriber {s.Id}");
            subscriberChanges.Add(new SubscriberChange(old, s, old is null ? AuditAction.Created : AuditAction.Updated));
        }

        var knownDeadlineIds = storedDeadlines.Keys.Concat(set.Deadlines.Select(d => d.Id)).ToHashSet();
        foreach (var s in set.Subscribers)
            foreach (var missing in s.DeadlineIds.Where(id => !knownDeadlineIds.Contains(id)))
                warnings.Add($"subscriber {s.Id}: deadlines lists \"{missing}\", which is not stored yet; it will be followed once it is imported");

        if (deadlineChanges.Count + subscriberChanges.Count == 0)
            return new ImportResult(added, updated, unchanged, warnings, generated, 0);
        var changedDeadlines = deadlineChanges.Select(c => c.After!).ToList();
        var changedSubscribers = subscriberChanges.Select(c => c.After!).ToList();
        var write = await writer.WriteAsync(deadlineChanges, subscriberChanges, Actor,
            async c => { await records.UpsertAsync(changedDeadlines, changedSubscribers, c); return true; },
            storedDeadlines, storedSubscribers, ct);
        return new ImportResult(added, updated, unchanged, warnings, generated, write.AlertsScheduled);
    }
}

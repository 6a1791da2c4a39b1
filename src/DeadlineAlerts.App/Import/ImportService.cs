using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Storage.Records;
using DeadlineAlerts.Storage.Schedule;
using NodaTime;

namespace DeadlineAlerts.App.Import;

public sealed record ImportResult(
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Updated,
    IReadOnlyList<string> Unchanged,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<(string SubscriberId, string ChannelId, string Secret)> GeneratedSecrets,
    int AlertsScheduled);

/// <summary>
/// Stores a validated <see cref="RecordSet"/>: idempotent by id (the same file twice changes nothing and
/// so sends nothing), and it writes the schedule rows of every changed pair before the records themselves,
/// so a crash in between leaves at worst schedule rows that match no record (ignored at tick time).
/// </summary>
public sealed class ImportService(RecordStore records, ScheduleIndex schedule, TickState state, IClock clock)
{
    public async Task<ImportResult> ImportAsync(RecordSet set, CancellationToken ct = default)
    {
        var now = clock.GetCurrentInstant();
        var storedDeadlines = (await records.ListDeadlinesAsync(ct)).ToDictionary(d => d.Id);
        var storedSubscribers = (await records.ListSubscribersAsync(ct)).ToDictionary(s => s.Id);
        var added = new List<string>();
        var updated = new List<string>();
        var unchanged = new List<string>();
        var warnings = set.Warnings.ToList();

        var changedDeadlines = new List<Deadline>();
        foreach (var incoming in set.Deadlines)
        {
            var d = incoming;
            if (storedDeadlines.TryGetValue(d.Id, out var old))
            {
                // History is server-owned (extend, resolve, cancel write it): a file never replaces or wipes it.
                d = d with { History = old.History };
                // The same due instant keeps its arming moment: editing a title must not re-arm old alerts.
                if (old.Due.Instant == d.Due.Instant) d = d with { ArmedAt = old.ArmedAt };
                if (Same(RecordEntities.From(old), RecordEntities.From(d))) { unchanged.Add($"deadline {d.Id}"); continue; }
                updated.Add($"deadline {d.Id}");
            }
            else added.Add($"deadline {d.Id}");
            changedDeadlines.Add(d);
        }

        var generated = set.GeneratedSecrets.ToList();
        var changedSubscribers = new List<Subscriber>();
        foreach (var incoming in set.Subscribers)
        {
            var s = incoming;
            if (storedSubscribers.TryGetValue(s.Id, out var old))
            {
                s = s with { CreatedAt = old.CreatedAt, Channels = s.Channels.Select(c => KeepStoredState(c, old, generated)).ToList() };
                if (Same(RecordEntities.From(old), RecordEntities.From(s))) { unchanged.Add($"subscriber {s.Id}"); continue; }
                updated.Add($"subscriber {s.Id}");
            }
            else added.Add($"subscriber {s.Id}");
            changedSubscribers.Add(s);
        }

        var allDeadlines = new Dictionary<string, Deadline>(storedDeadlines);
        foreach (var d in changedDeadlines) allDeadlines[d.Id] = d;
        var allSubscribers = new Dictionary<string, Subscriber>(storedSubscribers);
        foreach (var s in changedSubscribers) allSubscribers[s.Id] = s;

        foreach (var s in set.Subscribers)
        foreach (var missing in s.DeadlineIds.Where(id => !allDeadlines.ContainsKey(id)))
            warnings.Add($"subscriber {s.Id}: deadlines lists \"{missing}\", which is not stored yet; it will be followed once it is imported");

        var alerts = changedDeadlines.SelectMany(d => allSubscribers.Values.SelectMany(s => AlertPlanner.Plan(d, s)))
            .Concat(changedSubscribers.SelectMany(s => allDeadlines.Values.SelectMany(d => AlertPlanner.Plan(d, s))))
            .DistinctBy(a => a.Id)
            .ToList();

        if (changedDeadlines.Count + changedSubscribers.Count > 0)
        {
            await schedule.AddAsync(alerts, ct);
            await records.UpsertAsync(changedDeadlines, changedSubscribers, ct);
            await state.NoteStoredAsync(now, ct);
        }
        return new ImportResult(added, updated, unchanged, warnings, generated, alerts.Count);
    }

    /// <summary>
    /// A channel re-imported without a secret keeps the secret it was given before (re-importing must not
    /// rotate receivers' keys), and a channel keeps its "broken" mark until the operator changes it.
    /// </summary>
    private static ChannelSpec KeepStoredState(ChannelSpec incoming, Subscriber old, List<(string SubscriberId, string ChannelId, string Secret)> generated)
    {
        var previous = old.Channels.FirstOrDefault(c => c.Id == incoming.Id);
        if (previous is null) return incoming;
        var wasGenerated = generated.RemoveAll(g => g.SubscriberId == old.Id && g.ChannelId == incoming.Id) > 0;
        return incoming with
        {
            Secret = wasGenerated ? previous.Secret : incoming.Secret,
            BrokenReason = previous.BrokenReason,
        };
    }

    private static bool Same(Azure.Data.Tables.TableEntity a, Azure.Data.Tables.TableEntity b) =>
        a.Keys.Where(k => k is not ("odata.etag" or "Timestamp")).OrderBy(k => k)
            .SequenceEqual(b.Keys.Where(k => k is not ("odata.etag" or "Timestamp")).OrderBy(k => k))
        && a.Where(kv => kv.Key is not ("odata.etag" or "Timestamp")).All(kv => Equals(kv.Value, b.TryGetValue(kv.Key, out var v) ? v : null));
}

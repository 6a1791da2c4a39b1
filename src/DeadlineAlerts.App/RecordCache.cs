using System.Collections.Concurrent;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Storage.Records;

namespace DeadlineAlerts.App;

/// <summary>
/// Point reads of the records one tick or one batch of queue messages touches, each read at most once, shared by
/// every message of the batch. This keeps a tick's cost proportional to the alerts due, not to the number of
/// records, and delivery's to the distinct records of a batch, not to its messages. A record that cannot be read
/// is returned as its problem (<see cref="RecordRead{T}.Problem"/>), never thrown.
/// A cache lives for one batch only, so what it serves is at most one batch old.
/// </summary>
public sealed class RecordCache(RecordStore store)
{
    private readonly ConcurrentDictionary<DeadlineId, Lazy<Task<RecordRead<Deadline>>>> _deadlines = new();
    private readonly ConcurrentDictionary<SubscriberId, Lazy<Task<RecordRead<Subscriber>>>> _subscribers = new();

    public Task<RecordRead<Deadline>> DeadlineAsync(DeadlineId id, CancellationToken ct) =>
        _deadlines.GetOrAdd(id, k => new Lazy<Task<RecordRead<Deadline>>>(() => store.ReadDeadlineAsync(k, ct))).Value;

    public Task<RecordRead<Subscriber>> SubscriberAsync(SubscriberId id, CancellationToken ct) =>
        _subscribers.GetOrAdd(id, k => new Lazy<Task<RecordRead<Subscriber>>>(() => store.ReadSubscriberAsync(k, ct))).Value;

    /// <summary>Reads all of these at once (concurrently), so the stages after it find them in memory.</summary>
    public async Task LoadAsync(IEnumerable<DeadlineId> deadlineIds, IEnumerable<SubscriberId> subscriberIds, CancellationToken ct)
    {
        var tasks = deadlineIds.Where(id => !string.IsNullOrEmpty(id.Value)).Distinct().Select(id => (Task)DeadlineAsync(id, ct))
            .Concat(subscriberIds.Distinct().Select(id => (Task)SubscriberAsync(id, ct)));
        await Task.WhenAll(tasks);
    }

    /// <summary>Every record this cache could not read.</summary>
    public IEnumerable<UnreadableRecord> Unreadable =>
        Problems(_deadlines.Values).Concat(Problems(_subscribers.Values));

    private static IEnumerable<UnreadableRecord> Problems<T>(IEnumerable<Lazy<Task<RecordRead<T>>>> reads) where T : class =>
        reads.Where(r => r.IsValueCreated && r.Value.IsCompletedSuccessfully).Select(r => r.Value.Result.Problem).OfType<UnreadableRecord>();
}

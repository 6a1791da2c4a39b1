using System.Collections.Concurrent;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Storage.Records;

namespace DeadlineAlerts.App;

/// <summary>
/// Point reads of the records one tick or one message touches, each read at most once. This keeps a tick's
/// cost proportional to the alerts due, not to the number of deadlines or subscribers.
/// </summary>
internal sealed class RecordCache(RecordStore store)
{
    private readonly ConcurrentDictionary<string, Task<Deadline?>> _deadlines = new();
    private readonly ConcurrentDictionary<string, Task<Subscriber?>> _subscribers = new();

    public Task<Deadline?> DeadlineAsync(string id, CancellationToken ct) =>
        _deadlines.GetOrAdd(id, async k => (await store.GetDeadlineAsync(k, ct))?.Value);

    public Task<Subscriber?> SubscriberAsync(string id, CancellationToken ct) =>
        _subscribers.GetOrAdd(id, async k => (await store.GetSubscriberAsync(k, ct))?.Value);

    public async Task LoadAsync(IEnumerable<string> deadlineIds, IEnumerable<string> subscriberIds, CancellationToken ct)
    {
        var tasks = deadlineIds.Distinct().Select(id => (Task)DeadlineAsync(id, ct))
            .Concat(subscriberIds.Distinct().Select(id => (Task)SubscriberAsync(id, ct)));
        await Task.WhenAll(tasks);
    }
}

using Azure;
using DeadlineAlerts.App.Links;
using DeadlineAlerts.App.Records;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Records;
using NodaTime;

namespace DeadlineAlerts.App.Unsubscribe;

/// <summary>What a valid unsubscribe token would remove: one channel (shown redacted) or the whole subscription; and the
/// subscriber's locale, which the page is written in.</summary>
public sealed record UnsubscribeTarget(string SubscriberName, ChannelSpec? Channel, bool LastChannel, System.Globalization.CultureInfo? Locale = null);

/// <summary>Whether a removal removed something, and the locale of the subscriber it was for (null when already gone).</summary>
public sealed record UnsubscribeResult(bool Removed, System.Globalization.CultureInfo? Locale);

/// <summary>
/// Removes what a verified unsubscribe token names. A channel token removes that channel; removing the last
/// channel removes the subscription (a subscriber without channels could not be imported again). A whole-
/// subscription token deletes the subscriber record. Both are idempotent: once it is gone, "done" again.
/// Each removal is conditional on the ETag it read (a concurrent operator edit is re-read, not overwritten)
/// and leaves an audit entry by "subscriber". The schedule needs no change: a tick sends only to the channels
/// and subscribers the records still have.
/// </summary>
public sealed class UnsubscribeService(RecordStore records, AuditLog audit, IClock clock)
{
    public const string Actor = "subscriber";

    /// <summary>Null when there is nothing left to remove.</summary>
    public async Task<UnsubscribeTarget?> PreviewAsync(LinkToken token, CancellationToken ct = default)
    {
        var stored = await records.GetSubscriberAsync(token.SubscriberId, ct);
        if (stored is null) return null;
        var s = stored.Value;
        if (LinkScope.ChannelIdOf(token.Scope) is not { } channelId) return new UnsubscribeTarget(s.Name, null, true, s.Locale);
        var channel = s.Channels.FirstOrDefault(c => c.Id == channelId);
        return channel is null ? null : new UnsubscribeTarget(s.Name, channel, s.Channels.Count == 1, s.Locale);
    }

    /// <summary>Removed when this call removed something; not when it was already gone.</summary>
    public async Task<UnsubscribeResult> RemoveAsync(LinkToken token, CancellationToken ct = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            var stored = await records.GetSubscriberAsync(token.SubscriberId, ct);
            if (stored is null) return new UnsubscribeResult(false, null);
            var before = stored.Value;
            var channelId = LinkScope.ChannelIdOf(token.Scope);
            var channel = channelId is null ? null : before.Channels.FirstOrDefault(c => c.Id == channelId);
            if (channelId is not null && channel is null) return new UnsubscribeResult(false, before.Locale);
            var remaining = channel is null ? [] : before.Channels.Where(c => c.Id != channel.Id).ToList();
            try
            {
                Subscriber? after = null;
                if (remaining.Count == 0) await records.DeleteSubscriberAsync(before.Id, stored.ETag, ct);
                else
                {
                    after = before with { Channels = remaining };
                    await records.ReplaceSubscriberAsync(after, stored.ETag, ct);
                }
                await audit.AppendAsync(AuditEntries.For(clock.GetCurrentInstant(), Actor, AuditAction.Unsubscribed, before, after) with
                {
                    Summary = channel is null ? "removed the subscription"
                        : after is null ? $"removed channel {channel.Id} ({channel.Redacted}), the last one, and with it the subscription"
                        : $"removed channel {channel.Id} ({channel.Redacted})",
                }, ct);
                return new UnsubscribeResult(true, before.Locale);
            }
            catch (RequestFailedException e) when (e.Status is 412 or 404 && attempt < 5) { }
        }
    }
}

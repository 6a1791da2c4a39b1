using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using DeadlineAlerts.App.Deliver;
using DeadlineAlerts.App.Records;
using DeadlineAlerts.Core.Delivery;
using DeadlineAlerts.Core.Pipeline;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Storage.Audit;
using DeadlineAlerts.Storage.Ledger;
using DeadlineAlerts.Storage.Queue;
using DeadlineAlerts.Storage.Records;
using NodaTime;

namespace DeadlineAlerts.App.Operator;

/// <summary>Which ledger rows an operator asks for; every filter optional.</summary>
public sealed record AlertFilter(string? DeadlineId = null, string? SubscriberId = null, LedgerStatus? Status = null, Instant? Since = null, int Max = 500);

/// <summary>What a test send came to: delivered, or the receiver's answer (never a secret: channels word their reasons so).</summary>
public sealed record TestSendResult(SubscriberId SubscriberId, ChannelId ChannelId, string ChannelShown, MessageId MessageId, bool Delivered, string Outcome, string Text);

/// <summary>A refused operator action: which record, why, and what to do instead. <see cref="Status"/> is the HTTP status it maps to.</summary>
public sealed class OperatorActionException(int status, string message, string? field = null, string? value = null) : Exception(message)
{
    public int Status { get; } = status;
    public string? Field { get; } = field;
    public string? Value { get; } = value;
}

/// <summary>
/// What an operator does about delivery, beside editing records: read the ledger, send a test message through a
/// channel, re-send a failed delivery, clear a channel's broken mark, retry what the poison queue holds. Each is
/// audited under the subscriber whose channel it concerns. The pipeline is used as it is: a test goes through the
/// send stage (the channel's own renderer and HTTP rules, the process's send bound), a re-send is a new
/// <see cref="Dispatch"/> handed to the outbox, so it is claimed, composed, sent and recorded like any other.
/// </summary>
public sealed class OperatorActions(
    AlertLedger ledger,
    Outbox.Outbox outbox,
    SendStage send,
    AlertQueue queue,
    RecordStore records,
    RecordWriter writer,
    AuditLog audit,
    IClock clock)
{
    public const string ChannelTested = "channel-tested";
    public const string ChannelCleared = "channel-cleared";
    public const string Resent = "resent";

    /// <summary>The ledger key in one URL segment: <c>{PartitionKey}~{RowKey}</c> (neither part holds a <c>~</c>).</summary>
    public static string LedgerKey(LedgerEntry e) => e.PartitionKey + "~" + e.RowKey;

    /// <summary>
    /// Ledger rows, newest fire time first. With <see cref="AlertFilter.Since"/> only the partitions from that UTC day
    /// on are read (the partition key starts with the day); without it the whole ledger is read, so the console
    /// always asks with a since.
    /// </summary>
    public async Task<IReadOnlyList<LedgerEntry>> ListAlertsAsync(AlertFilter f, CancellationToken ct = default)
    {
        var filters = new List<string>();
        if (f.Since is { } since)
            filters.Add(TableClient.CreateQueryFilter($"PartitionKey ge {since.InUtc().Date.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}"));
        if (f.DeadlineId is { } d) filters.Add(TableClient.CreateQueryFilter($"DeadlineId eq {d}"));
        if (f.SubscriberId is { } s) filters.Add(TableClient.CreateQueryFilter($"SubscriberId eq {s}"));
        if (f.Status is { } st) filters.Add(TableClient.CreateQueryFilter($"Status eq {st.Wire()}"));
        var rows = await ledger.QueryAsync(filters.Count == 0 ? null : string.Join(" and ", filters), ct);
        return rows.Where(e => f.Since is not { } from || e.FireAt >= from || e.PlannedAt >= from)
            .OrderByDescending(e => e.FireAt).ThenByDescending(e => e.PlannedAt).Take(f.Max).ToList();
    }

    /// <summary>
    /// Sends one clearly marked test message ("TEST message from DeadlineAlerts …", deadline id <c>test-message</c>,
    /// message id <c>ts_…</c>, new for every test) through the channel now and waits for the answer. It is not a
    /// ledger row (it is about no deadline and is never retried), so a failure shows here and in the audit log only.
    /// A channel marked broken is sent to all the same: that is how an operator learns it works again.
    /// </summary>
    public async Task<TestSendResult> TestAsync(SubscriberId subscriberId, ChannelId channelId, string actor, CancellationToken ct = default)
    {
        var (subscriber, channel, _) = await ChannelAsync(subscriberId, channelId, ct);
        var now = clock.GetCurrentInstant();
        var id = new MessageId("ts_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"test\n{subscriber.Id}\n{channel.Id}\n{TimeText.Iso(now)}\n{Guid.NewGuid()}")), 0, 16));
        var zone = subscriber.TimeZone ?? DateTimeZone.Utc;
        var view = new AlertMessage
        {
            MessageId = id,
            DeadlineId = "test-message",
            Title = $"TEST message from DeadlineAlerts: channel {channel.Id} of {subscriber.Name} works (sent by {actor}); no deadline is due",
            Notes = "This is a test sent from the operator console or dla test. It is about no deadline; nothing needs doing.",
            SubscriberId = subscriber.Id,
            SubscriberName = subscriber.Name,
            DueAt = now,
            DeadlineZone = zone,
            SubscriberZone = zone,
            FireAt = now,
            Now = now,
        };
        var row = LedgerEntry.Plan(new Dispatch
        {
            MessageId = id,
            Kind = MessageKind.Alert,
            DeadlineId = view.DeadlineId,
            SubscriberId = subscriber.Id,
            ChannelId = channel.Id,
            ChannelType = channel.Type,
            SendAt = now,
            DueAt = now,
            KeyAt = now,
        }, now);
        var sent = await send.RunAsync([new Composition(row, view, channel, null)], ct);
        var outcome = sent[0].Outcome ?? DeliveryOutcome.Permanent("nothing was sent");
        var delivered = outcome.Status == DeliveryStatus.Delivered;
        var answer = delivered ? "delivered" + (outcome.ProviderMessageId is { } pm ? $" (provider id {pm})" : "")
            : $"{(outcome.Status == DeliveryStatus.Retry ? "not delivered (transient)" : "not delivered")}: {outcome.Reason}";
        await audit.AppendAsync(AuditEntries.For(now, actor, ChannelTested, subscriber, subscriber) with
        {
            Summary = $"test message to channel {channel.Id} ({channel.Redacted}): {answer}",
        }, ct);
        return new TestSendResult(subscriber.Id, channel.Id, channel.Redacted, id, delivered, answer, view.PlainText);
    }

    /// <summary>
    /// Clears a channel's broken mark, so later alerts go to it again (an operator does this after a test send
    /// came through). Returns false when it was not marked. Written through <see cref="RecordWriter"/>, conditional on
    /// the subscriber's ETag, and audited with the reason that was cleared.
    /// </summary>
    public async Task<bool> ClearAsync(SubscriberId subscriberId, ChannelId channelId, string actor, CancellationToken ct = default)
    {
        var (subscriber, channel, etag) = await ChannelAsync(subscriberId, channelId, ct);
        if (channel.BrokenReason is not { } reason) return false;
        var after = subscriber with { Channels = subscriber.Channels.Select(c => c.Id == channelId ? c with { BrokenReason = null } : c).ToList() };
        try
        {
            await writer.WriteAsync([], [new SubscriberChange(subscriber, after, ChannelCleared)
            {
                Summary = $"channel {channel.Id} ({channel.Redacted}) cleared; it was marked broken: {reason}",
            }], actor, c => records.ReplaceSubscriberAsync(after, etag, c), ct: ct);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            throw new OperatorActionException(409, $"subscriber {subscriberId} changed while the mark was being cleared; nothing was written. Try again.");
        }
        return true;
    }

    /// <summary>
    /// Sends a failed delivery again: a new ledger row for the same message and channel (same message id, so the
    /// receiver's idempotency key is the same; keyed at this instant), handed to the outbox, marked late so its
    /// countdown is measured when it goes out. Only a failed row can be re-sent, only to a channel that is still
    /// there and not marked broken, and only once while the re-sent row is not itself failed.
    /// </summary>
    public async Task<LedgerEntry> ResendAsync(string ledgerKey, string actor, CancellationToken ct = default)
    {
        var row = await RowAsync(ledgerKey, ct);
        if (row.Status != LedgerStatus.Failed)
            throw new OperatorActionException(409, $"alert {ledgerKey} is {row.Status.Wire()}; only a failed alert can be re-sent.", "ledgerKey", ledgerKey);
        var (subscriber, channel, _) = await ChannelAsync(row.SubscriberId, row.ChannelId, ct);
        if (channel.BrokenReason is { } broken)
            throw new OperatorActionException(409, $"channel {channel.Id} of subscriber {subscriber.Id} is marked broken ({broken}); send it a test and clear the mark, then re-send.");
        var now = clock.GetCurrentInstant();
        var today = LedgerKeys.Partition(now, row.SubscriberId);
        var earlier = await ledger.QueryAsync(TableClient.CreateQueryFilter(
            $"PartitionKey eq {today} and AlertId eq {row.MessageId.Value} and ChannelId eq {row.ChannelId.Value}"), ct);
        if (earlier.FirstOrDefault(e => e.RowKey != row.RowKey && e.Status != LedgerStatus.Failed && e.PlannedAt > row.PlannedAt) is { } again)
            throw new OperatorActionException(409, $"alert {ledgerKey} was re-sent already as {LedgerKey(again)}, which is {again.Status.Wire()}.", "ledgerKey", ledgerKey);
        var dispatch = new Dispatch
        {
            MessageId = row.MessageId,
            Kind = row.Kind,
            DeadlineId = row.DeadlineId,
            SubscriberId = row.SubscriberId,
            ChannelId = row.ChannelId,
            ChannelType = row.ChannelType,
            // The row keeps its planned fire time (delivery checks the alert still applies by it) and is filed now.
            SendAt = row.FireAt,
            DueAt = row.DueAt,
            KeyAt = now,
            Late = true,
            LeadTime = row.LeadTime,
            Ref = row.Ref,
            DigestPeriod = row.DigestPeriod,
        };
        var result = await outbox.SubmitAsync([dispatch], now, ct);
        var (pk, rk) = LedgerKeys.Of(dispatch);
        var added = result.Inserted is [var first, ..] ? first : (await ledger.GetAsync([(pk, rk)], ct)).Single();
        await audit.AppendAsync(AuditEntries.For(now, actor, Resent, subscriber, subscriber) with
        {
            Summary = $"{row.Kind.Wire()} {row.MessageId}{(row.DeadlineId.Value.Length > 0 ? $" (deadline {row.DeadlineId})" : "")} re-sent to channel {channel.Id} ({channel.Redacted}) as {LedgerKey(added)}; it had failed: {row.LastError}",
        }, ct);
        return added;
    }

    /// <summary>What the poison queue holds (at most 32, the queue's peek limit): its deliveries' ledger rows.</summary>
    public async Task<IReadOnlyList<LedgerEntry>> PoisonedAsync(CancellationToken ct = default)
    {
        if (!(await queue.Poison.ExistsAsync(ct)).Value) return [];
        var peeked = await queue.Poison.PeekMessagesAsync(32, ct);
        var refs = peeked.Value.SelectMany(m => Refs(m.MessageText)).Select(r => (r.PartitionKey, r.RowKey)).Distinct().ToList();
        return refs.Count == 0 ? [] : await ledger.GetAsync(refs, ct);
    }

    /// <summary>
    /// Retry of the poison queue: each message's failed rows are re-sent (<see cref="ResendAsync"/>) and the message
    /// is deleted. A row that cannot be re-sent now (its channel is broken or gone) is reported and its message kept.
    /// </summary>
    public async Task<(IReadOnlyList<LedgerEntry> Resent, IReadOnlyList<string> Problems)> RetryPoisonAsync(string actor, CancellationToken ct = default)
    {
        var resent = new List<LedgerEntry>();
        var problems = new List<string>();
        if (!(await queue.Poison.ExistsAsync(ct)).Value) return (resent, problems);
        var received = await queue.Poison.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1), ct);
        foreach (var m in received.Value)
        {
            var keep = false;
            foreach (var r in Refs(m.MessageText))
            {
                var key = r.PartitionKey + "~" + r.RowKey;
                try { resent.Add(await ResendAsync(key, actor, ct)); }
                catch (OperatorActionException e) when (e.Status == 404 || e.Field == "ledgerKey")
                {
                    problems.Add(e.Message); // gone, or no longer failed (re-sent already): nothing left to retry
                }
                catch (OperatorActionException e) { problems.Add(e.Message); keep = true; }
            }
            if (!keep) await queue.Poison.DeleteMessageAsync(m.MessageId, m.PopReceipt, ct);
        }
        return (resent, problems);
    }

    private static IEnumerable<DeliveryRef> Refs(string text)
    {
        try { return DeliveryMessage.Parse(text).Deliveries; }
        catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException) { return []; }
    }

    private async Task<LedgerEntry> RowAsync(string ledgerKey, CancellationToken ct)
    {
        var cut = ledgerKey.IndexOf('~');
        if (cut <= 0 || cut == ledgerKey.Length - 1)
            throw new OperatorActionException(400, $"\"{ledgerKey}\" is not a ledger key; use the ledgerKey of a row from GET /api/alerts (PARTITION~ROW).", "ledgerKey", ledgerKey);
        var rows = await ledger.GetAsync([(ledgerKey[..cut], ledgerKey[(cut + 1)..])], ct);
        return rows.FirstOrDefault() ?? throw new OperatorActionException(404, $"There is no alert with ledger key \"{ledgerKey}\".");
    }

    private async Task<(Subscriber Subscriber, ChannelSpec Channel, ETag ETag)> ChannelAsync(SubscriberId subscriberId, ChannelId channelId, CancellationToken ct)
    {
        var stored = await records.GetSubscriberAsync(subscriberId, ct)
                     ?? throw new OperatorActionException(404, $"There is no subscriber with id \"{subscriberId}\".");
        var channel = stored.Value.Channels.FirstOrDefault(c => c.Id == channelId)
                      ?? throw new OperatorActionException(404, $"Subscriber {subscriberId} has no channel \"{channelId}\"; its channels are {string.Join(", ", stored.Value.Channels.Select(c => c.Id))}.");
        return (stored.Value, channel, stored.ETag);
    }
}

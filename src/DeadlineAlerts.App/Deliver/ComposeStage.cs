using DeadlineAlerts.App.Links;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using DeadlineAlerts.Core.Schedule;
using DeadlineAlerts.Storage.Ledger;
using DeadlineAlerts.Storage.Records;
using NodaTime;

namespace DeadlineAlerts.App.Deliver;

/// <summary>What a claimed row will say and where it goes, or why it will not be sent.</summary>
public sealed record Composition(LedgerEntry Entry, MessageView? View, ChannelSpec? Channel, NotSent? NotSent);

/// <summary>A claimed row that is not sent: cancelled (the records no longer plan it) or failed (a record it needs is gone or unreadable).</summary>
public sealed record NotSent(bool Cancel, string Reason)
{
    /// <summary>The subscriber said Got it for this alert's deadline after it was queued: recorded as acknowledged.</summary>
    public bool Acknowledged { get; init; }
}

/// <summary>
/// Stage 2. Builds what each claimed row says, from the ledger row and the current records, once per kind:
/// an alert from its lead time (countdown measured now); a notice from the history entry the row names, so a
/// retried notice says exactly what the first attempt said; a digest from its period and the deadlines as they are now.
/// </summary>
public sealed class ComposeStage(RecordStore records, Storage.Acknowledgements.AcknowledgementStore acknowledgements, SubscriberLinks links, IClock clock)
{
    public async Task<IReadOnlyList<Composition>> RunAsync(IReadOnlyList<LedgerEntry> claimed, RecordCache cache, CancellationToken ct)
    {
        await cache.LoadAsync(claimed.Select(c => c.DeadlineId), claimed.Select(c => c.SubscriberId), ct);
        // A digest lists every deadline its subscriber follows: read them once per message, and only if needed.
        var deadlines = new Lazy<Task<List<Deadline>>>(() => records.ListDeadlinesAsync(ct));
        // A Got it said after the tick planned an alert (it was queued, or is retrying) still stops it.
        var acks = await acknowledgements.ForAlertsAsync(claimed.Where(c => c.Kind == MessageKind.Alert).Select(c => (c.DeadlineId, c.SubscriberId, c.DueAt)), ct);
        var now = clock.GetCurrentInstant();
        var list = new List<Composition>(claimed.Count);
        foreach (var entry in claimed) list.Add(await ComposeAsync(entry, cache, deadlines, acks, now, ct));
        return list;
    }

    private async Task<Composition> ComposeAsync(LedgerEntry entry, RecordCache cache, Lazy<Task<List<Deadline>>> deadlines,
        IReadOnlyDictionary<(DeadlineId, SubscriberId, Instant), Storage.Acknowledgements.Acknowledgement> acks, Instant now, CancellationToken ct)
    {
        Composition No(bool cancel, string reason) => new(entry, null, null, new NotSent(cancel, reason));
        var subscriberRead = await cache.SubscriberAsync(entry.SubscriberId, ct);
        if (subscriberRead.Problem is { } sp) return No(false, $"unreadable {sp}");
        var deadlineRead = entry.Kind == MessageKind.Digest ? RecordRead<Deadline>.Missing : await cache.DeadlineAsync(entry.DeadlineId, ct);
        if (deadlineRead.Problem is { } dp) return No(false, $"unreadable {dp}");
        var subscriber = subscriberRead.Value;
        var deadline = deadlineRead.Value;
        var alert = entry.ToPlannedAlert();
        switch (entry.Kind)
        {
            case MessageKind.Digest when subscriber?.Digest is null || subscriber.TimeZone is null:
                return No(false, "the subscriber or its digest was removed before delivery");
            case MessageKind.Alert or MessageKind.Notice when subscriber is null || deadline is null:
                return No(false, "the deadline or subscriber was deleted before delivery");
            case MessageKind.Alert when alert is null:
                return No(false, $"the ledger row's lead time \"{entry.LeadTime}\" cannot be read");
            case MessageKind.Alert when !AlertPlanner.StillApplies(alert, deadline, subscriber):
                return No(true, "cancelled: the deadline or subscriber changed after the alert was planned; it no longer applies");
            case MessageKind.Alert when acks.GetValueOrDefault((entry.DeadlineId, entry.SubscriberId, entry.DueAt)) is { } ack && ack.Covers(alert):
                var why = SubscriberControlTexts.AcknowledgedReason(ack.By, RecordEntities.Iso(ack.At), RecordEntities.Iso(ack.DueAt));
                return new(entry, null, null, new NotSent(false, why) { Acknowledged = true });
        }
        var spec = subscriber!.Channels.FirstOrDefault(c => c.Id == entry.ChannelId);
        if (spec is null) return No(false, "the channel was removed from the subscriber before delivery");
        MessageView? view = entry.Kind switch
        {
            MessageKind.Alert => new AlertMessage(alert!, deadline!, subscriber, now, entry.Late),
            MessageKind.Notice => deadline!.History.FirstOrDefault(h => h.Id == entry.Ref) is { } change
                ? new NoticeMessage(entry.MessageId, change.ToNotice(), deadline, subscriber, change.At)
                : null,
            MessageKind.Digest => DigestMessage.Create(subscriber,
                new DigestPeriod(NodaTime.Text.LocalDatePattern.Iso.Parse(entry.DigestPeriod ?? "").GetValueOrThrow(), entry.FireAt),
                await deadlines.Value, now, entry.Late),
            _ => null,
        };
        if (view is null) return new(entry, null, spec, new NotSent(false, $"the deadline no longer records the change this {entry.Kind.Wire()} reports"));
        view = view with { UnsubscribeUrl = links.UnsubscribeUrl(subscriber.Id, spec.Id) };
        if (view is AlertMessage) view = view with { AcknowledgeUrl = links.AcknowledgeUrl(subscriber.Id, entry.DeadlineId, entry.DueAt) };
        if (view is DigestMessage digest) view = digest with { FullListUrl = links.CalendarUrl(subscriber.Id) };
        return new(entry, view, spec, null);
    }
}

using System.Security.Cryptography;
using System.Text;
using DeadlineAlerts.Core.Records;
using NodaTime;
using NodaTime.Text;

namespace DeadlineAlerts.Core.Schedule;

/// <summary>
/// The deterministic identity of one message, whatever its kind: a lead-time alert (<c>al_</c>, from
/// <see cref="ForAlert"/>), a change notice (<c>nt_</c>, <see cref="HistoryEntry.NoticeIdFor"/>), a digest (<c>dg_</c>,
/// <see cref="ForDigest"/>) or an operator's test message (<c>ts_</c>). The same inputs give the same id in every
/// process, so a repeated tick finds its own ledger rows and a receiver can deduplicate on it: it is the webhook's
/// <c>Idempotency-Key</c> / <c>webhook-id</c>, and on the wire it keeps its older names (<c>alertId</c> in an
/// alert's or notice's JSON, the <c>AlertId</c> column of the ledger and schedule tables).
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(TypedIdJsonConverter<MessageId>))]
public readonly record struct MessageId(string Value) : ITypedId<MessageId>
{
    public static MessageId From(string value) => new(value);
    public static implicit operator MessageId(string value) => new(value);

    /// <summary>
    /// One lead-time alert: (deadline id, its due instant, subscriber id, lead time). An extension changes the due
    /// instant and therefore the id, so old alerts can never be confused with new ones.
    /// </summary>
    public static MessageId ForAlert(DeadlineId deadlineId, Instant due, SubscriberId subscriberId, LeadTime lead)
    {
        var key = $"{deadlineId}\n{InstantPattern.ExtendedIso.Format(due)}\n{subscriberId}\n{lead.Text}";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        return new MessageId("al_" + Convert.ToHexStringLower(hash, 0, 16));
    }

    /// <summary>The id of one subscriber's digest of one period: every channel of that digest shares it.</summary>
    public static MessageId ForDigest(SubscriberId subscriberId, DigestPeriod period)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"digest\n{subscriberId}\n{period.Key}"));
        return new MessageId("dg_" + Convert.ToHexStringLower(hash, 0, 16));
    }

    public override string ToString() => Value ?? "";
}

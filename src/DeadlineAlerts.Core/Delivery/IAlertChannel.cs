using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;
using NodaTime;

namespace DeadlineAlerts.Core.Delivery;

/// <summary>
/// One way of telling a subscriber. Each implementation lives in its own folder of DeadlineAlerts.Delivery
/// and decides for itself which failures are worth retrying: it never throws for a failed send, it returns
/// <see cref="DeliveryOutcome"/>.
/// </summary>
public interface IAlertChannel
{
    /// <summary>The <see cref="ChannelSpec.Type"/> this channel sends to ("webhook", "slack", ...).</summary>
    string Type { get; }

    /// <summary>
    /// Sends one message of any kind (<see cref="AlertMessage"/>, <see cref="NoticeMessage"/>, <see cref="DigestMessage"/>):
    /// the channel's one renderer switches on the type and decides how each looks in its medium.
    /// </summary>
    Task<DeliveryOutcome> SendAsync(MessageView message, ChannelSpec channel, CancellationToken cancellationToken);
}

public enum DeliveryStatus { Delivered, Retry, Permanent }

/// <summary>
/// What came of one send. <see cref="Reason"/> is shown to operators and stored in the ledger, so it must
/// never contain a secret (a webhook URL, a key): channels describe failures by status and provider code.
/// </summary>
public sealed record DeliveryOutcome(DeliveryStatus Status, string? Reason = null, Duration? RetryAfter = null,
    string? ProviderMessageId = null, bool ChannelBroken = false)
{
    public static DeliveryOutcome Delivered(string? providerMessageId = null) => new(DeliveryStatus.Delivered, ProviderMessageId: providerMessageId);
    public static DeliveryOutcome Retry(string reason, Duration? after = null) => new(DeliveryStatus.Retry, reason, after);
    public static DeliveryOutcome Permanent(string reason, bool channelBroken = false) => new(DeliveryStatus.Permanent, reason, ChannelBroken: channelBroken);
}

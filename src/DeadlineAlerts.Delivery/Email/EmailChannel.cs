using DeadlineAlerts.Core.Delivery;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Core.Rendering;

namespace DeadlineAlerts.Delivery.Email;

/// <summary>
/// Email through the transport chosen by <c>DeadlineAlerts__Email__Transport</c> (<c>acs</c>, <c>smtp</c> or
/// <c>pickup</c>). The channel renders once (<see cref="EmailRenderer"/>); the transport decides retry vs permanent.
/// </summary>
public sealed class EmailChannel(EmailRenderer renderer, IEmailSender sender) : IAlertChannel
{
    public string Type => ChannelSpec.Email;
    public IEmailSender Sender => sender;

    public Task<DeliveryOutcome> SendAsync(MessageView message, ChannelSpec channel, CancellationToken cancellationToken)
    {
        if (!EmailAddress.IsValid(channel.Target))
            return Task.FromResult(DeliveryOutcome.Permanent("the email address is not valid", channelBroken: true));
        return sender.SendAsync(renderer.Render(message, channel), cancellationToken);
    }
}

using DeadlineAlerts.Core.Delivery;
using NodaTime;

namespace DeadlineAlerts.Delivery.Email.Acs;

/// <summary>
/// The <c>acs</c> email transport: maps <see cref="AcsSendResult"/> to outcomes. Succeeded and Accepted are
/// delivered (the provider message id is the ACS operation id, which is also how Azure Monitor and Event Grid
/// name the email); Throttled and Transient are retries; Rejected, Failed and Canceled are permanent.
/// </summary>
public sealed class AcsEmailSender(AcsEmailClient client, EmailOptions options) : IEmailSender
{
    public string Name => "acs";

    public AcsEmailClient Client => client;

    public async Task<DeliveryOutcome> SendAsync(RenderedEmail email, CancellationToken cancellationToken)
    {
        var message = new AcsEmailMessage(
            options.From!,
            new AcsEmailContent(email.Subject, email.PlainText, email.Html),
            new AcsEmailRecipients([new AcsEmailAddress(email.To, email.ToName)]),
            email.Headers.Count > 0 ? email.Headers : null,
            options.Acs.DisableUserEngagementTracking ? true : null);
        var result = await client.SendAsync(message, email.OperationId, cancellationToken);
        var reason = $"ACS {result.Detail}";
        return result.State switch
        {
            AcsSendState.Succeeded or AcsSendState.Accepted => DeliveryOutcome.Delivered(result.OperationId.ToString()),
            AcsSendState.Throttled or AcsSendState.Transient =>
                DeliveryOutcome.Retry(reason, result.RetryAfter is { } after ? Duration.FromTimeSpan(after) : null),
            _ => DeliveryOutcome.Permanent(reason),
        };
    }
}

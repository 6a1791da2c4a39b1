using DeadlineAlerts.Core.Delivery;
using NodaTime;

namespace DeadlineAlerts.Delivery.Email;

/// <summary>One email transport (ACS, SMTP, pickup directory). Like a channel it never throws for a failed send.</summary>
public interface IEmailSender
{
    string Name { get; }
    Task<DeliveryOutcome> SendAsync(RenderedEmail email, CancellationToken cancellationToken);
}

/// <summary>
/// Stands in when the email settings are missing or wrong: every send is a Retry naming the setting, so
/// alerts wait in the queue (and reach the poison queue if nobody fixes it) instead of being dropped.
/// </summary>
public sealed class UnconfiguredEmailSender(string problem) : IEmailSender
{
    public static readonly Duration RetryAfter = Duration.FromMinutes(5);
    public string Name => "unconfigured";
    public string Problem => problem;

    public Task<DeliveryOutcome> SendAsync(RenderedEmail email, CancellationToken cancellationToken) =>
        Task.FromResult(DeliveryOutcome.Retry($"email is not configured: {problem}", RetryAfter));
}

using System.Collections.Concurrent;
using DeadlineAlerts.Core.Time;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DeadlineAlerts.Delivery.Http;

/// <summary>
/// One <see cref="RateSchedule"/> per destination, shared by every HTTP channel (a singleton: the handlers
/// that use it are recycled by the HTTP client factory, the schedules must not be). Slack incoming webhooks
/// are keyed by the full URL at <see cref="DeliveryOptions.SlackPerWebhookPerSecond"/> (Slack's limit is per
/// webhook); everything else by <c>host:port</c> at <see cref="DeliveryOptions.PerHostPerSecond"/>.
/// It paces on the wire clock (<see cref="Clocks.Wire"/>): a receiver's limit counts real seconds, whatever <c>--now</c> says.
/// </summary>
public sealed class HostRateLimiter(IOptions<DeliveryOptions> options, [FromKeyedServices(Clocks.Wire)] TimeProvider time)
{
    private readonly ConcurrentDictionary<string, RateSchedule> _schedules = new(StringComparer.Ordinal);
    private DeliveryOptions Options => options.Value;

    public static bool IsSlackWebhook(Uri uri) => uri.Host.Equals("hooks.slack.com", StringComparison.OrdinalIgnoreCase);

    /// <summary>The pacing key; never logged or shown, since for Slack it is the secret URL itself.</summary>
    public static string KeyFor(Uri uri) =>
        IsSlackWebhook(uri) ? "slack " + uri.GetLeftPart(UriPartial.Path) : $"host {uri.Host.ToLowerInvariant()}:{uri.Port}";

    public RateSchedule ScheduleFor(Uri uri) => _schedules.GetOrAdd(KeyFor(uri), _ => IsSlackWebhook(uri)
        ? new RateSchedule(Options.SlackPerWebhookPerSecond, TimeSpan.FromSeconds(1))
        : new RateSchedule(Options.PerHostPerSecond, TimeSpan.FromSeconds(1), burst: Math.Max(1, (int)Options.PerHostPerSecond)));

    /// <summary>Waits for this destination's next slot; throws <see cref="RateLimitedException"/> when that would take longer than allowed.</summary>
    public async Task WaitForSlotAsync(Uri uri, CancellationToken cancellationToken)
    {
        var reservation = ScheduleFor(uri).Reserve(time.GetUtcNow(), Options.MaxRateWait);
        if (!reservation.Granted) throw new RateLimitedException(reservation.Wait);
        if (reservation.Wait > TimeSpan.Zero) await Task.Delay(reservation.Wait, time, cancellationToken);
    }
}

/// <summary>Our own pacing (not the receiver) says the next slot is too far away: retry after <see cref="Wait"/>.</summary>
public sealed class RateLimitedException(TimeSpan wait)
    : Exception($"local rate limit: next slot in {wait.TotalSeconds:0.#} s")
{
    public TimeSpan Wait { get; } = wait;
}

/// <summary>First handler of the delivery pipeline: paces requests per destination (see <see cref="HostRateLimiter"/>).</summary>
public sealed class RateLimitHandler(HostRateLimiter limiter) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await limiter.WaitForSlotAsync(request.RequestUri!, cancellationToken);
        return await base.SendAsync(request, cancellationToken);
    }
}

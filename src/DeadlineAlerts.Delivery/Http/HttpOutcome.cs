using System.Net;
using DeadlineAlerts.Core.Delivery;
using NodaTime;

namespace DeadlineAlerts.Delivery.Http;

/// <summary>
/// The shared reading of an HTTP answer: 2xx delivered; 408, 429 and 5xx worth retrying (honouring
/// Retry-After); any other 4xx permanent. Channels with their own error vocabulary (Slack) refine this.
/// </summary>
public static class HttpOutcome
{
    /// <param name="wire">The real clock, to read a Retry-After date against (never the schedule clock <c>--now</c> moves).</param>
    public static DeliveryOutcome From(HttpResponseMessage response, TimeProvider wire, string? providerMessageId = null, string? detail = null)
    {
        var code = (int)response.StatusCode;
        var reason = $"HTTP {code} {response.ReasonPhrase}".TrimEnd() + (string.IsNullOrWhiteSpace(detail) ? "" : $": {detail}");
        if (response.IsSuccessStatusCode) return DeliveryOutcome.Delivered(providerMessageId);
        if (IsTransient(response.StatusCode)) return DeliveryOutcome.Retry(reason, RetryAfter(response, wire));
        return DeliveryOutcome.Permanent(reason);
    }

    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>Retry-After as seconds or as an HTTP date (read against the real clock, <paramref name="wire"/>); null when absent.</summary>
    public static Duration? RetryAfter(HttpResponseMessage response, TimeProvider wire)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return Duration.FromTimeSpan(delta);
        if (header?.Date is { } date)
        {
            var wait = date - wire.GetUtcNow();
            return wait > TimeSpan.Zero ? Duration.FromTimeSpan(wait) : Duration.Zero;
        }
        return null;
    }

    /// <summary>
    /// A failure before any answer. Refused by our own SSRF guard: permanent. Paced by our own rate limit,
    /// refused, reset or timed out: worth retrying.
    /// </summary>
    public static DeliveryOutcome FromException(Exception e)
    {
        if (Find<ForbiddenEndpointException>(e) is { } forbidden) return DeliveryOutcome.Permanent($"endpoint refused: {forbidden.Message}");
        if (Find<RateLimitedException>(e) is { } paced) return DeliveryOutcome.Retry(paced.Message, Duration.FromTimeSpan(paced.Wait));
        return e switch
        {
            TimeoutException or TaskCanceledException => DeliveryOutcome.Retry("timed out waiting for the receiver"),
            HttpRequestException h when h.HttpRequestError == HttpRequestError.ConnectionError => DeliveryOutcome.Retry("connection refused or unreachable"),
            HttpRequestException h when h.HttpRequestError == HttpRequestError.NameResolutionError => DeliveryOutcome.Retry("host name could not be resolved"),
            HttpRequestException h => DeliveryOutcome.Retry($"request failed ({h.HttpRequestError})"),
            _ => DeliveryOutcome.Retry($"request failed ({e.GetType().Name})"),
        };
    }

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException) if (e is T found) return found;
        return null;
    }
}

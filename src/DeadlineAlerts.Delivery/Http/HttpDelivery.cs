using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using DeadlineAlerts.Core.Delivery;
using DeadlineAlerts.Core.Records;

namespace DeadlineAlerts.Delivery.Http;

/// <summary>
/// The one way webhook-style channels (webhook, Slack, Teams) POST: the URL text is checked against the
/// <see cref="EndpointPolicy"/> first, then the request goes through the delivery pipeline
/// (<see cref="RateLimitHandler"/> → <see cref="RequestTimeoutHandler"/> → <see cref="GuardedConnect"/>),
/// and every failure comes back as a <see cref="DeliveryOutcome"/>, never as an exception, never naming the URL.
/// </summary>
/// <param name="wire">The wire clock (<see cref="Core.Time.Clocks.Wire"/>): always real time, never the schedule clock that <c>dla --now</c> moves; a
/// receiver checks what we send against its own clock (a Standard Webhooks timestamp, a Retry-After date).</param>
public sealed class HttpDelivery(HttpClient http, EndpointPolicy policy, TimeProvider wire)
{
    public EndpointPolicy Policy => policy;
    public TimeProvider Wire => wire;

    /// <param name="read">Turns the receiver's answer into an outcome; runs while the response is alive.</param>
    public async Task<DeliveryOutcome> PostAsync(string url, HttpContent content, Action<HttpRequestHeaders>? headers,
        Func<HttpResponseMessage, Task<DeliveryOutcome>> read, CancellationToken cancellationToken)
    {
        using (content)
        {
            if (policy.Problem(url) is { } problem) return DeliveryOutcome.Permanent($"endpoint refused: the URL {problem}");
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
            request.Headers.UserAgent.Add(new ProductInfoHeaderValue("DeadlineAlerts", "1.0"));
            headers?.Invoke(request.Headers);
            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                return await read(response);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return HttpOutcome.FromException(e);
            }
        }
    }

    /// <summary>A short, printable excerpt of a receiver's error body for reasons; anything URL-shaped is blanked, since it may echo a secret.</summary>
    public static async Task<string?> ErrorTextAsync(HttpResponseMessage response, int max = 120)
    {
        var text = await response.Content.ReadAsStringAsync();
        var printable = new string(text.Where(c => !char.IsControl(c)).ToArray());
        var clean = LinkText.Truncate(Regex.Replace(printable, @"[a-zA-Z][a-zA-Z0-9+.-]*://\S+", "[url]").Trim(), max);
        return clean.Length == 0 ? null : clean;
    }
}

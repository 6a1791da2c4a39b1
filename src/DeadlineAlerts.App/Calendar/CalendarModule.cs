using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.Links;
using DeadlineAlerts.Storage.Records;
using NodaTime;

namespace DeadlineAlerts.App.Calendar;

/// <summary>
/// <c>GET /api/calendar/{subscriberId}.ics?token=</c>: the subscriber's feed (<see cref="CalendarFeed"/>). The
/// token is a calendar-scope link token for that subscriber (<c>dla calendar ID</c> prints the URL); it does
/// not expire, because calendar apps poll one URL for years. A forged, tampered or foreign token, or one for
/// another subscriber or purpose, gets one refusal (400, the same text) before any record is read.
/// </summary>
public sealed class CalendarModule(LinkSigner signer, RecordStore records, IClock clock) : IApiModule
{
    public void Map(ApiRouteTable routes) => routes.Get("/api/calendar/{subscriberId}.ics", ApiAccess.Public, FeedAsync, query: ["token"]);

    private async Task<ApiResponse> FeedAsync(ApiCall call, CancellationToken ct)
    {
        var id = call.RouteValue("subscriberId");
        var token = signer.Verify(call.Request.QueryValue("token"), clock.GetCurrentInstant());
        if (token is null || token.Scope != LinkScope.Calendar || !string.Equals(token.SubscriberId, id, StringComparison.Ordinal))
            return NoStore(ApiResponse.Text(400, "text/plain; charset=utf-8", "This calendar link is not valid. Ask the people who run these alerts for a new one.\n"));
        var subscriber = await records.GetSubscriberAsync(id, ct);
        if (subscriber is null)
            return NoStore(ApiResponse.Text(404, "text/plain; charset=utf-8", "This subscription has ended; remove the calendar.\n"));
        var deadlines = await records.ListDeadlinesAsync(ct);
        var r = ApiResponse.Text(200, CalendarFeed.ContentType, CalendarFeed.Build(deadlines, subscriber.Value));
        r.Headers["Content-Disposition"] = $"inline; filename=\"{id}.ics\"";
        return NoStore(r);
    }

    /// <summary>The URL carries the token: no shared caches, no referrers; and a browser that opens the feed
    /// loads and runs nothing from it.</summary>
    private static ApiResponse NoStore(ApiResponse r)
    {
        r.Headers["Cache-Control"] = "private, no-store";
        r.Headers["Referrer-Policy"] = "no-referrer";
        r.Headers["Content-Security-Policy"] = "default-src 'none'";
        return r;
    }
}

using System.Net;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.Links;
using NodaTime;

namespace DeadlineAlerts.App.Unsubscribe;

/// <summary>
/// <c>GET /api/unsubscribe?token=</c> shows what will be removed and a button; it changes nothing, so mail
/// scanners that open links cannot unsubscribe anyone. <c>POST</c> (the form, or an RFC 8058 one-click
/// <c>List-Unsubscribe=One-Click</c> body from a mail client) removes it. A token that is forged, tampered
/// with, expired or made for another purpose gets one refusal page (400, the same text), decided before any
/// record is read, so the answer says nothing about whether the subscriber exists.
/// </summary>
public sealed class UnsubscribeModule(LinkSigner signer, UnsubscribeService service, IClock clock) : IApiModule
{
    public const string Path = "/api/unsubscribe";

    public void Map(ApiRouteTable routes)
    {
        routes.Get(Path, ApiAccess.Public, ShowAsync, query: ["token"]);
        routes.Post(Path, ApiAccess.Public, RemoveAsync, query: ["token"], body: ApiBody.Form);
    }

    private LinkToken? Verify(ApiCall call)
    {
        var token = signer.Verify(call.Request.QueryValue("token"), clock.GetCurrentInstant());
        // Only unsubscribe scopes: a calendar or Got it token must never remove anything here.
        return token is not null && LinkScope.IsUnsubscribe(token.Scope) ? token : null;
    }

    private async Task<ApiResponse> ShowAsync(ApiCall call, CancellationToken ct)
    {
        if (Verify(call) is not { } token) return Refused();
        var target = await service.PreviewAsync(token, ct);
        if (target is null) return Page(200, "Already unsubscribed", "<p>There is nothing left to remove: you will not get these messages.</p>");
        var what = target.Channel is null
            ? $"all deadline alerts for <strong>{E(target.SubscriberName)}</strong> (the whole subscription, every channel)"
            : $"deadline alerts for <strong>{E(target.SubscriberName)}</strong> to {E(target.Channel.Type)} <strong>{E(target.Channel.Redacted)}</strong>"
              + (target.LastChannel ? " (the only channel left, so the whole subscription ends)" : "");
        var action = E($"{Path}?token={call.Request.QueryValue("token")}");
        return Page(200, "Unsubscribe?", $"""
            <p>Stop {what}?</p>
            <form method="post" action="{action}">
            <input type="hidden" name="List-Unsubscribe" value="One-Click">
            <button type="submit">Unsubscribe</button>
            </form>
            """);
    }

    private async Task<ApiResponse> RemoveAsync(ApiCall call, CancellationToken ct)
    {
        if (Verify(call) is not { } token) return Refused();
        var removed = await service.RemoveAsync(token, ct);
        return removed
            ? Page(200, "Unsubscribed", "<p>Done: you will not get these messages any more.</p>")
            : Page(200, "Already unsubscribed", "<p>This was already done: you will not get these messages.</p>");
    }

    private static ApiResponse Refused() => Page(400, "This link does not work",
        "<p>This unsubscribe link is not valid or has expired. Use the link in a recent message, or ask the people who run these alerts to remove you.</p>");

    private static string E(string text) => WebUtility.HtmlEncode(text);

    /// <summary>A small page that loads nothing and is not cached, indexed or referred onwards (the URL carries the token).</summary>
    internal static ApiResponse Page(int status, string title, string bodyHtml)
    {
        var r = ApiResponse.Html(status, $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
            <meta name="robots" content="noindex"><title>{E(title)}</title></head>
            <body style="font-family:Segoe UI,Helvetica,Arial,sans-serif;max-width:36em;margin:3em auto;padding:0 1em">
            <h1 style="font-size:1.4em">{E(title)}</h1>
            {bodyHtml}
            </body></html>
            """);
        r.Headers["Cache-Control"] = "no-store";
        r.Headers["Referrer-Policy"] = "no-referrer";
        r.Headers["X-Robots-Tag"] = "noindex";
        r.Headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'";
        return r;
    }
}

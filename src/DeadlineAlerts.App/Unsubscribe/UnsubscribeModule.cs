using System.Net;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.Links;
using DeadlineAlerts.Core.Rendering;
using NodaTime;

namespace DeadlineAlerts.App.Unsubscribe;

/// <summary>
/// <c>GET /api/unsubscribe?token=</c> shows what will be removed and a button; it changes nothing, so mail
/// scanners that open links cannot unsubscribe anyone. <c>POST</c> (the form, or an RFC 8058 one-click
/// <c>List-Unsubscribe=One-Click</c> body from a mail client) removes it. A token that is forged, tampered
/// with, expired or made for another purpose gets one refusal page (400, the same text), decided before any
/// record is read, so the answer says nothing about whether the subscriber exists.
/// The pages are in the subscriber's language (<see cref="PageLanguage"/>); the refusal, which knows no subscriber,
/// in the browser's.
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
        if (Verify(call) is not { } token) return Refused(call);
        var target = await service.PreviewAsync(token, ct);
        if (target is null) return TextPage(200, PageLanguage.Of(call, null), "page.unsubscribe.goneTitle", "page.unsubscribe.goneText");
        var language = PageLanguage.Of(call, target.Locale);
        var name = $"<strong>{E(target.SubscriberName)}</strong>";
        var question = target.Channel is null
            ? Html(language, "page.unsubscribe.askWhole", ("name", name))
            : Html(language, target.LastChannel ? "page.unsubscribe.askLastChannel" : "page.unsubscribe.askChannel",
                ("name", name), ("type", E(target.Channel.Type)), ("target", $"<strong>{E(target.Channel.Redacted)}</strong>"));
        var action = E($"{Path}?token={call.Request.QueryValue("token")}");
        return Page(200, language, language.Text("page.unsubscribe.askTitle"), $"""
            <p>{question}</p>
            <form method="post" action="{action}">
            <input type="hidden" name="List-Unsubscribe" value="One-Click">
            <button type="submit">{E(language.Text("link.unsubscribe"))}</button>
            </form>
            """);
    }

    private async Task<ApiResponse> RemoveAsync(ApiCall call, CancellationToken ct)
    {
        if (Verify(call) is not { } token) return Refused(call);
        var result = await service.RemoveAsync(token, ct);
        var language = PageLanguage.Of(call, result.Locale);
        return result.Removed
            ? TextPage(200, language, "page.unsubscribe.doneTitle", "page.unsubscribe.doneText")
            : TextPage(200, language, "page.unsubscribe.goneTitle", "page.unsubscribe.alreadyText");
    }

    /// <summary>One refusal for every bad token, before any record is read: in the browser's language, since no subscriber is known.</summary>
    private static ApiResponse Refused(ApiCall call) =>
        TextPage(400, PageLanguage.Of(call, null), "page.unsubscribe.refusedTitle", "page.unsubscribe.refusedText");

    private static string E(string text) => WebUtility.HtmlEncode(text);

    /// <summary>The text of <paramref name="key"/>, HTML-encoded, with values that are already HTML filled in.</summary>
    internal static string Html(MessageLanguage language, string key, params (string Name, object Value)[] html) =>
        MessageLanguage.Fill(E(language.Template(key)), html);

    internal static ApiResponse TextPage(int status, MessageLanguage language, string titleKey, string textKey) =>
        Page(status, language, language.Text(titleKey), $"<p>{E(language.Text(textKey))}</p>");

    /// <summary>A small page that loads nothing and is not cached, indexed or referred onwards (the URL carries the token).</summary>
    internal static ApiResponse Page(int status, MessageLanguage language, string title, string bodyHtml)
    {
        var r = ApiResponse.Html(status, $"""
            <!DOCTYPE html>
            <html lang="{E(PageLanguage.HtmlLang(language))}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
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

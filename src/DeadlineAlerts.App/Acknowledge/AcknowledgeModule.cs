using System.Net;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.Links;
using DeadlineAlerts.App.Unsubscribe;
using DeadlineAlerts.Core.Rendering;
using NodaTime;

namespace DeadlineAlerts.App.Acknowledge;

/// <summary>
/// <c>GET /api/acknowledge?token=</c> shows what Got it will stop and a button; it changes nothing, so mail
/// scanners that open links acknowledge nothing. <c>POST</c> (the button) says it; again is "already done".
/// The token is an unsubscribe-style signed link (<see cref="LinkScope.Acknowledge"/>) bound to one deadline and
/// the due instant the message was about. A token that is forged, tampered with, expired or made for another purpose
/// gets one refusal page (400, the same bytes for the same request headers), decided before any record is read.
/// The pages are in the subscriber's language (<see cref="PageLanguage"/>, texts <c>page.gotIt.*</c>); the refusal,
/// which knows no subscriber, in the browser's.
/// </summary>
public sealed class AcknowledgeModule(LinkSigner signer, AcknowledgeService service, IClock clock) : IApiModule
{
    public const string Path = "/api/acknowledge";

    public void Map(ApiRouteTable routes)
    {
        routes.Get(Path, ApiAccess.Public, ShowAsync, query: ["token"]);
        routes.Post(Path, ApiAccess.Public, AcknowledgeAsync, query: ["token"], body: ApiBody.Form);
    }

    private (LinkToken Token, Core.Records.DeadlineId DeadlineId, Instant DueAt)? Verify(ApiCall call)
    {
        var token = signer.Verify(call.Request.QueryValue("token"), clock.GetCurrentInstant());
        return token is not null && LinkScope.AcknowledgedOf(token.Scope) is { } ack ? (token, ack.DeadlineId, ack.DueAt) : null;
    }

    private async Task<ApiResponse> ShowAsync(ApiCall call, CancellationToken ct)
    {
        if (Verify(call) is not { } link) return Refused(call);
        var target = await service.PreviewAsync(link.Token.SubscriberId, link.DeadlineId, link.DueAt, ct);
        var language = PageLanguage.Of(call, target.Subscriber?.Locale);
        if (Answer(language, target) is { } answer) return answer;
        var action = E($"{Path}?token={call.Request.QueryValue("token")}");
        var ask = UnsubscribeModule.Html(language, "page.gotIt.ask",
            ("deadline", Strong(target.Deadline!.Title)), ("due", Due(language, target)), ("subscriber", Strong(target.Subscriber!.Name)));
        return UnsubscribeModule.Page(200, language, language.Text("page.gotIt.askTitle"), $"""
            <p>{ask}</p><p>{E(language.Text("page.gotIt.askNotices"))}</p>
            <form method="post" action="{action}">
            <button type="submit">{E(language.Text("link.gotIt"))}</button>
            </form>
            """);
    }

    private async Task<ApiResponse> AcknowledgeAsync(ApiCall call, CancellationToken ct)
    {
        if (Verify(call) is not { } link) return Refused(call);
        var target = await service.AcknowledgeAsync(link.Token.SubscriberId, link.DeadlineId, link.DueAt, AcknowledgeService.LinkActor, ct);
        var language = PageLanguage.Of(call, target.Subscriber?.Locale);
        return Answer(language, target) ?? Page(language, "page.gotIt.doneTitle", "page.gotIt.done",
            ("deadline", Strong(target.Deadline!.Title)), ("due", Due(language, target)));
    }

    /// <summary>The page for every state but <see cref="AcknowledgeState.Ready"/> (null then).</summary>
    private static ApiResponse? Answer(MessageLanguage language, AcknowledgeTarget target) => target.State switch
    {
        AcknowledgeState.Nothing => Page(language, "page.gotIt.nothingTitle", "page.gotIt.nothing"),
        AcknowledgeState.Already => Page(language, "page.gotIt.alreadyTitle", "page.gotIt.already",
            ("deadline", Strong(target.Deadline!.Title)), ("due", Due(language, target))),
        AcknowledgeState.Moved => Page(language, "page.gotIt.movedTitle", "page.gotIt.moved",
            ("deadline", Strong(target.Deadline!.Title)), ("due", Due(language, target)),
            ("newDue", E(TimeText.Full(target.Deadline.Due.Instant, target.Subscriber!.ZoneFor(target.Deadline), language)))),
        _ => null,
    };

    /// <summary>A page of one paragraph: the text of <paramref name="key"/> with values that are already HTML filled in.</summary>
    private static ApiResponse Page(MessageLanguage language, string titleKey, string key, params (string Name, object Value)[] html) =>
        UnsubscribeModule.Page(200, language, language.Text(titleKey), $"<p>{UnsubscribeModule.Html(language, key, html)}</p>");

    /// <summary>The acknowledged due instant as the subscriber reads it (its zone, else the deadline's), HTML-encoded.</summary>
    private static string Due(MessageLanguage language, AcknowledgeTarget t) => E(TimeText.Full(t.DueAt, t.Subscriber!.ZoneFor(t.Deadline!), language));

    /// <summary>One refusal for every bad token, before any record is read: in the browser's language, since no subscriber is known.</summary>
    private static ApiResponse Refused(ApiCall call) =>
        UnsubscribeModule.TextPage(400, PageLanguage.Of(call, null), "page.gotIt.refusedTitle", "page.gotIt.refused");

    private static string Strong(string text) => $"<strong>{E(text)}</strong>";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}

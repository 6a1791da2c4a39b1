using System.Net;
using DeadlineAlerts.App.Api;
using DeadlineAlerts.App.Links;
using DeadlineAlerts.App.Unsubscribe;
using DeadlineAlerts.Core.Rendering;
using NodaTime;
using static DeadlineAlerts.Core.Rendering.SubscriberControlTexts;

namespace DeadlineAlerts.App.Acknowledge;

/// <summary>
/// <c>GET /api/acknowledge?token=</c> shows what Got it will stop and a button; it changes nothing, so mail
/// scanners that open links acknowledge nothing. <c>POST</c> (the button) says it; again is "already done".
/// The token is an unsubscribe-style signed link (<see cref="LinkScope.Acknowledge"/>) bound to one deadline and
/// the due instant the message was about. A token that is forged, tampered with, expired or made for another purpose
/// gets one refusal page (400, the same bytes), decided before any record is read.
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
        if (Verify(call) is not { } link) return Refused();
        var target = await service.PreviewAsync(link.Token.SubscriberId, link.DeadlineId, link.DueAt, ct);
        if (Answer(target) is { } answer) return answer;
        var action = E($"{Path}?token={call.Request.QueryValue("token")}");
        return UnsubscribeModule.Page(200, MessageLanguage.English, PageAskTitle, PageAsk(E(target.Deadline!.Title), Due(target), E(target.Subscriber!.Name)) + $"""

            <form method="post" action="{action}">
            <button type="submit">{E(GotItLabel)}</button>
            </form>
            """);
    }

    private async Task<ApiResponse> AcknowledgeAsync(ApiCall call, CancellationToken ct)
    {
        if (Verify(call) is not { } link) return Refused();
        var target = await service.AcknowledgeAsync(link.Token.SubscriberId, link.DeadlineId, link.DueAt, AcknowledgeService.LinkActor, ct);
        return Answer(target) ?? UnsubscribeModule.Page(200, MessageLanguage.English, PageDoneTitle, PageDone(E(target.Deadline!.Title), Due(target)));
    }

    /// <summary>The page for every state but <see cref="AcknowledgeState.Ready"/> (null then).</summary>
    private static ApiResponse? Answer(AcknowledgeTarget target) => target.State switch
    {
        AcknowledgeState.Nothing => UnsubscribeModule.Page(200, MessageLanguage.English, PageNothingTitle, PageNothing),
        AcknowledgeState.Already => UnsubscribeModule.Page(200, MessageLanguage.English, PageAlreadyTitle, PageAlready(E(target.Deadline!.Title), Due(target))),
        AcknowledgeState.Moved => UnsubscribeModule.Page(200, MessageLanguage.English, PageMovedTitle, PageMoved(E(target.Deadline!.Title), Due(target),
            E(TimeText.Full(target.Deadline.Due.Instant, target.Subscriber!.ZoneFor(target.Deadline))))),
        _ => null,
    };

    /// <summary>The acknowledged due instant as the subscriber reads it (its zone, else the deadline's).</summary>
    private static string Due(AcknowledgeTarget t) => E(TimeText.Full(t.DueAt, t.Subscriber!.ZoneFor(t.Deadline!)));

    private static ApiResponse Refused() => UnsubscribeModule.Page(400, MessageLanguage.English, PageRefusedTitle, PageRefused);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}

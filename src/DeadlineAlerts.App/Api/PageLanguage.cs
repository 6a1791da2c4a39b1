using System.Globalization;
using DeadlineAlerts.Core.Rendering;

namespace DeadlineAlerts.App.Api;

/// <summary>
/// Which language a public page (unsubscribe, Got it) is written in: the subscriber's locale when the page knows the
/// subscriber, otherwise what the browser asks for in <c>Accept-Language</c>, otherwise English. A page that refuses a
/// bad link knows no subscriber, so every refusal to one browser reads the same, whatever the token was.
/// </summary>
public static class PageLanguage
{
    public static MessageLanguage Of(ApiCall call, CultureInfo? subscriberLocale) =>
        subscriberLocale is not null
            ? MessageLanguage.For(subscriberLocale)
            : MessageLanguage.ForAcceptLanguage(call.Request.Header("Accept-Language"));

    /// <summary>The page's <c>lang</c> attribute: the culture's tag, "en" for plain English.</summary>
    public static string HtmlLang(MessageLanguage language) =>
        language.Culture.Name.Length == 0 ? MessageLanguage.FallbackTag : language.Culture.Name;
}

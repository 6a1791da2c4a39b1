using System.Globalization;

namespace DeadlineAlerts.Core.Time;

/// <summary>
/// A subscriber's <c>locale</c>: a BCP 47 tag that .NET's ICU knows as a culture (<c>zh-CN</c>, <c>sv</c>, <c>en-GB</c>).
/// It decides the language of the wording (<see cref="Rendering.MessageLanguage"/>) and the weekday and month names.
/// <para>ICU is asked with <c>predefinedOnly</c>, so a made-up tag (<c>xx-YY</c>) is refused instead of becoming an
/// empty custom culture; .NET's own extras that are not BCP 47 (the invariant culture <c>""</c>, sort-order names
/// such as <c>en_US</c>, private-use <c>-x-</c> suffixes) are refused too. The stored form is ICU's canonical name
/// (<c>zh-cn</c> is stored as <c>zh-CN</c>).</para>
/// <para>On a host with <c>InvariantGlobalization</c> (or <c>DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1</c>) there is
/// no ICU and every tag but the invariant one is refused: such a host cannot show Chinese or Swedish dates.</para>
/// </summary>
public static class Locales
{
    /// <summary>The culture of <paramref name="tag"/>, or null when <see cref="Problem"/> would name one.</summary>
    public static CultureInfo? Find(string? tag) => Problem(tag) is null ? Lookup(tag!) : null;

    /// <summary>Null when <paramref name="tag"/> is a BCP 47 tag ICU knows; otherwise what is wrong and the fix.</summary>
    public static string? Problem(string? tag)
    {
        const string examples = "give a BCP 47 language tag such as en, en-GB, zh-CN or sv, or leave locale out for English";
        if (string.IsNullOrWhiteSpace(tag)) return $"is empty; {examples}";
        var t = tag.Trim();
        if (t.Contains('_', StringComparison.Ordinal))
            return $"is not a BCP 47 tag (parts are joined by '-', not '_'); did you mean {t.Replace('_', '-')}?";
        if (t.Length > 35 || !t.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') || t.Contains("-x-", StringComparison.OrdinalIgnoreCase) || t.StartsWith("x-", StringComparison.OrdinalIgnoreCase))
            return $"is not a BCP 47 language tag; {examples}";
        return Lookup(t) is null ? $"is not a language this installation's ICU knows; {examples}" : null;
    }

    private static CultureInfo? Lookup(string tag)
    {
        try
        {
            var culture = CultureInfo.GetCultureInfo(tag.Trim(), predefinedOnly: true);
            return culture.Name.Length == 0 ? null : culture;
        }
        catch (CultureNotFoundException)
        {
            return null;
        }
    }
}

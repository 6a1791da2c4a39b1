using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;

namespace DeadlineAlerts.Core.Rendering;

/// <summary>
/// The wording of every message, page and feed in one language, and the culture whose weekday and month names
/// its dates use. The words live in one JSON file per language, <c>Rendering/Languages/{tag}.json</c>, embedded in
/// this assembly by a wildcard: adding a language is adding that one file (its name a BCP 47 tag, its keys those of
/// <c>en.json</c>). A key a file lacks is read from English, so a half-translated file still renders whole.
/// <para>
/// A subscriber's <see cref="Records.Subscriber.Locale"/> picks the file: the tag itself, then its ICU parents
/// (<c>sv-FI</c> → <c>sv</c>, <c>en-GB</c> → <c>en</c>). A locale with no file (<c>fr</c>) gets English throughout,
/// dates included, rather than English sentences around French weekday names. No locale gets <see cref="English"/>,
/// whose dates use the invariant culture: exactly the text every message had before languages existed.
/// </para>
/// <para>
/// Plurals are CLDR's <c>one</c>/<c>other</c> with <c>one</c> for exactly 1, which is right for English, Swedish and
/// Chinese (whose <c>one</c> and <c>other</c> read the same). A language with more forms (Polish, Arabic) needs a
/// rule here as well as its file.
/// </para>
/// </summary>
public sealed class MessageLanguage
{
    /// <summary>Where the files are: the manifest names the wildcard in the csproj gives them.</summary>
    public const string ResourcePrefix = "DeadlineAlerts.Languages.";
    public const string FallbackTag = "en";

    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> Files = new(Load);
    private static readonly ConcurrentDictionary<(string Pattern, string Culture), ZonedDateTimePattern> Patterns = new();
    private static readonly ConcurrentDictionary<string, MessageLanguage> ByLocale = new(StringComparer.OrdinalIgnoreCase);

    private readonly IReadOnlyList<IReadOnlyDictionary<string, string>> _chain;

    private MessageLanguage(string tag, CultureInfo culture, IReadOnlyList<IReadOnlyDictionary<string, string>> chain)
    {
        Tag = tag;
        Culture = culture;
        _chain = chain;
    }

    /// <summary>English with invariant dates ("Tue 12 Aug 2025 00:01 EDT"): for a subscriber without a locale.</summary>
    public static MessageLanguage English { get; } = new(FallbackTag, CultureInfo.InvariantCulture, [Files.Value[FallbackTag]]);

    /// <summary>The tags of the shipped files, English first.</summary>
    public static IReadOnlyList<string> Shipped =>
        [.. Files.Value.Keys.OrderBy(k => k == FallbackTag ? 0 : 1).ThenBy(k => k, StringComparer.Ordinal)];

    /// <summary>The keys and texts of one shipped file as written (no English filled in), for checks.</summary>
    public static IReadOnlyDictionary<string, string> File(string tag) => Files.Value[tag];

    /// <summary>The file this language reads first: "zh-CN", "sv", "en".</summary>
    public string Tag { get; }

    /// <summary>Whose weekday and month names the dates use (the subscriber's own culture, or the invariant one).</summary>
    public CultureInfo Culture { get; }

    /// <summary>The language for <paramref name="locale"/> (null: <see cref="English"/>); see the class comment.</summary>
    public static MessageLanguage For(CultureInfo? locale)
    {
        if (locale is null || locale.Name.Length == 0) return English;
        return ByLocale.GetOrAdd(locale.Name, _ =>
        {
            var chain = new List<IReadOnlyDictionary<string, string>>();
            string? tag = null;
            for (var c = locale; c.Name.Length > 0; c = c.Parent)
            {
                var file = Files.Value.Keys.FirstOrDefault(k => string.Equals(k, c.Name, StringComparison.OrdinalIgnoreCase));
                if (file is null) continue;
                tag ??= file;
                chain.Add(Files.Value[file]);
            }
            if (tag is null) return English;
            if (!chain.Contains(Files.Value[FallbackTag])) chain.Add(Files.Value[FallbackTag]);
            return new MessageLanguage(tag, locale, chain);
        });
    }

    /// <summary>The text of <paramref name="key"/> with its <c>{name}</c> placeholders filled. A key no file has is
    /// returned as "[key]", which the rendering tests look for.</summary>
    public string Text(string key, params (string Name, object Value)[] values) => Fill(Template(key), values);

    /// <summary>
    /// <paramref name="template"/> with its <c>{name}</c> placeholders filled, for callers that transform the template
    /// first (a page HTML-encodes it, then fills in values that are already HTML). An unknown placeholder stays as written.
    /// </summary>
    public static string Fill(string template, params (string Name, object Value)[] values)
    {
        if (values.Length == 0) return template;
        // One pass over the template: a value that itself holds "{due}" (a title may) is never filled in again.
        var sb = new StringBuilder(template.Length + 64);
        var at = 0;
        while (at < template.Length)
        {
            var open = template.IndexOf('{', at);
            var close = open < 0 ? -1 : template.IndexOf('}', open + 1);
            if (close < 0) { sb.Append(template, at, template.Length - at); break; }
            sb.Append(template, at, open - at);
            var name = template[(open + 1)..close];
            var found = Array.FindIndex(values, v => v.Name == name);
            if (found < 0) sb.Append(template, open, close - open + 1);
            else sb.Append(Convert.ToString(values[found].Value, CultureInfo.InvariantCulture));
            at = close + 1;
        }
        return sb.ToString();
    }

    /// <summary>The plural form of <paramref name="key"/> for <paramref name="n"/> (<c>.one</c> or <c>.other</c>), with
    /// <c>{n}</c> filled in as well as <paramref name="values"/>.</summary>
    public string Count(string key, long n, params (string Name, object Value)[] values) =>
        Text($"{key}.{(n == 1 ? "one" : "other")}", [("n", n), .. values]);

    /// <summary>The text of <paramref name="key"/> with its placeholders unfilled (see <see cref="Fill"/>).</summary>
    public string Template(string key)
    {
        foreach (var file in _chain)
            if (file.TryGetValue(key, out var text)) return text;
        return $"[{key}]";
    }

    /// <summary>"3 days, 4 hours", "3天4小时": the non-zero amounts given, largest first.</summary>
    public string Amounts(IEnumerable<(string Unit, long N)> amounts) =>
        string.Join(Template("unit.separator"), amounts.Where(a => a.N != 0).Select(a => Count("unit." + a.Unit, a.N)));

    /// <summary>Capitalises the first letter as the language does ("förfaller nu" → "Förfaller nu"; Chinese is unchanged).</summary>
    public string Capital(string text) =>
        text.Length == 0 ? text : (Culture.Name.Length == 0 ? char.ToUpperInvariant(text[0]) : char.ToUpper(text[0], Culture)) + text[1..];

    /// <summary>A zoned time by the NodaTime pattern stored under <paramref name="key"/>, names from <see cref="Culture"/>.</summary>
    public string Format(string key, ZonedDateTime time) =>
        Patterns.GetOrAdd((Template(key), Culture.Name), k =>
            ZonedDateTimePattern.Create(k.Pattern, Culture, NodaTime.TimeZones.Resolvers.LenientResolver, DateTimeZoneProviders.Tzdb, default)).Format(time);

    /// <summary>The name of a weekday in this language ("Monday", "måndag", "星期一").</summary>
    public string DayName(IsoDayOfWeek day) => ReferenceEquals(this, English) || Culture.Name.Length == 0
        ? day.ToString()
        : Culture.DateTimeFormat.GetDayName((DayOfWeek)((int)day % 7));

    /// <summary>
    /// The language a browser asks for in <c>Accept-Language</c> (<c>zh-CN,zh;q=0.9,en;q=0.8</c>), for a page that knows
    /// no subscriber (a refused link): the most preferred tag ICU knows that has a file, else <see cref="English"/>.
    /// </summary>
    public static MessageLanguage ForAcceptLanguage(string? header)
    {
        if (string.IsNullOrWhiteSpace(header)) return English;
        var ranked = header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Take(20)
            .Select((part, order) =>
            {
                var pieces = part.Split(';', StringSplitOptions.TrimEntries);
                var q = 1.0;
                foreach (var p in pieces.Skip(1))
                    if (p.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                        && double.TryParse(p[2..], NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)) q = parsed;
                return (Tag: pieces[0], Q: q, Order: order);
            })
            .Where(t => t.Q > 0)
            .OrderByDescending(t => t.Q).ThenBy(t => t.Order);
        foreach (var (tag, _, _) in ranked)
        {
            if (tag == "*") break;
            if (Time.Locales.Find(tag) is { } culture && For(culture) is var language && (language != English || culture.TwoLetterISOLanguageName == FallbackTag))
                return language;
        }
        return English;
    }

    public override string ToString() => Tag;

    private static Dictionary<string, IReadOnlyDictionary<string, string>> Load()
    {
        var assembly = typeof(MessageLanguage).Assembly;
        var files = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal)))
        {
            var tag = name[ResourcePrefix.Length..^".json".Length];
            using var stream = assembly.GetManifestResourceStream(name)!;
            files[tag] = JsonSerializer.Deserialize<Dictionary<string, string>>(stream)
                         ?? throw new InvalidDataException($"language file {tag}.json is empty");
        }
        if (!files.ContainsKey(FallbackTag)) throw new InvalidDataException($"the English language file {FallbackTag}.json is not embedded");
        return files;
    }
}

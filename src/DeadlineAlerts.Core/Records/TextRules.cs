using System.Globalization;
using System.Text;

namespace DeadlineAlerts.Core.Records;

/// <summary>
/// What record text may hold, and how record text is shown on a terminal.
/// <para>
/// Lengths are counted in UTF-16 code units ("characters"; an emoji or another character outside the Basic
/// Multilingual Plane counts as two), because that is what Table Storage stores: a string property takes two
/// bytes a code unit and may take at most 64 KiB, an entity at most 1 MiB. Each limit is far above what a
/// person writes in that field and far below what storage holds (<see cref="Limits"/>); the record store checks
/// the stored layout as a whole before a write (<c>RecordEntities.SizeProblems</c>).
/// </para>
/// <para>
/// No field may hold a control character (C0 such as NUL, BEL and ESC, DEL, C1 such as NEL and CSI) or the
/// Unicode line and paragraph separators (U+2028, U+2029), nor half of a surrogate pair. Only notes may hold
/// tab and line feed; a carriage return there is read as a line feed (a CRLF from a spreadsheet stays one
/// line break).
/// </para>
/// </summary>
public static class TextRules
{
    /// <summary>One line of text: no control characters and no line breaks.</summary>
    public const bool SingleLine = false;
    /// <summary>Tab and line feed allowed (notes).</summary>
    public const bool MultiLine = true;

    /// <summary>The documented limits (README "Limits"), in characters.</summary>
    public static class Limits
    {
        public const int Title = 1_000;
        public const int Name = 200;
        public const int Category = 200;
        public const int Source = 2_000;
        public const int Notes = 16_000;
        public const int Url = 2_000;
        public const int Reason = 1_000;
        /// <summary>Any other text field (due, timeZone, status, lead times, digest and quiet-hours fields, channel type and secret).</summary>
        public const int Other = 200;

        public const int Categories = 100;
        public const int FollowedDeadlines = 1_000;
        public const int LeadTimes = 50;
        public const int Channels = 20;

        /// <summary>An import file (CLI) or API body, in bytes, refused before it is parsed.</summary>
        public const int FileBytes = 16 * 1024 * 1024;
        public const int BodyBytes = 1024 * 1024;

        /// <summary>Table Storage: a string property and an entity, in stored bytes.</summary>
        public const int PropertyBytes = 64 * 1024;
        public const int EntityBytes = 1024 * 1024;
    }

    /// <summary>
    /// Null when <paramref name="text"/> may be stored in a field of this kind, otherwise the problem, phrased to
    /// follow the field name (<c>title "…" is 60,000 characters long; …</c>).
    /// </summary>
    public static string? Problem(string text, int limit, bool multiLine = SingleLine)
    {
        if (text.Length > limit)
            return $"is {text.Length:N0} characters long ({2 * text.Length:N0} bytes as stored); at most {limit:N0} characters are accepted"
                   + (limit >= Limits.Notes ? "" : "; shorten it, and put longer text in notes");
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
            if (char.IsSurrogate(c))
                return $"holds half of a surrogate pair (U+{(int)c:X4}) at character {i + 1}, which is not text; fix the file's encoding";
            if (multiLine && c is '\t' or '\n' or '\r') continue;
            if (c is '\n' or '\r' or '\u2028' or '\u2029')
                return $"holds a line break (U+{(int)c:X4}) at character {i + 1}; this field is one line (line breaks are allowed in notes only)";
            if (char.IsControl(c))
                return $"holds the control character U+{(int)c:X4}{ControlName(c)} at character {i + 1}; remove it (only notes may hold tab and line feed)";
        }
        return null;
    }

    /// <summary>Notes as stored: CRLF and a lone CR become LF.</summary>
    public static string NormaliseLineBreaks(string text) =>
        text.Contains('\r') ? text.Replace("\r\n", "\n").Replace('\r', '\n') : text;

    /// <summary>
    /// Text for a terminal line: every control character, line break and line or paragraph separator (and an
    /// unpaired surrogate) is shown as <c>\u001b</c> and the like, tab and line feed included, so a record cannot
    /// move the cursor, recolour or retitle the operator's terminal, or fake a line of output. Records stored
    /// before these rules, or written to the table directly, may hold such characters.
    /// </summary>
    public static string Terminal(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var clean = true;
        foreach (var c in text)
            if (NeedsEscape(c)) { clean = false; break; }
        if (clean && !HasLoneSurrogate(text)) return text;
        var sb = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { sb.Append(c).Append(text[++i]); continue; }
            if (NeedsEscape(c) || char.IsSurrogate(c)) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>A value as a problem shows it: escaped as for a terminal, and cut to <paramref name="max"/> characters.</summary>
    public static string Excerpt(string text, int max = 60) =>
        Terminal(text.Length > max ? text[..max] + "…" : text);

    private static bool NeedsEscape(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
            if (char.IsSurrogate(text[i])) return true;
        }
        return false;
    }

    private static string ControlName(char c) => c switch
    {
        '\0' => " (NUL)",
        '\a' => " (BEL)",
        '\b' => " (BS)",
        '\t' => " (tab)",
        '\u001b' => " (ESC)",
        '\u007f' => " (DEL)",
        '\u0085' => " (NEL)",
        '\u009b' => " (CSI)",
        _ => "",
    };

    /// <summary>
    /// Reads an import file's bytes as UTF-8, refusing invalid UTF-8 with the byte offset of the first bad
    /// sequence (the default decoder would silently replace it with U+FFFD). A UTF-8 byte order mark is dropped.
    /// </summary>
    public static string DecodeUtf8(ReadOnlySpan<byte> bytes, string what = "file")
    {
        var skipped = bytes.StartsWith("\uFEFF"u8) ? 3 : 0;
        bytes = bytes[skipped..];
        var chars = new char[bytes.Length];
        var status = System.Text.Unicode.Utf8.ToUtf16(bytes, chars, out var read, out var written, replaceInvalidSequences: false);
        if (status == System.Buffers.OperationStatus.Done) return new string(chars, 0, written);
        throw new RecordValidationException([new RecordProblem(what, "encoding", null,
            $"is not valid UTF-8: the byte at offset {read + skipped:N0} (0x{bytes[read]:X2}) does not begin a UTF-8 character; save the file as UTF-8 (in Excel: CSV UTF-8)")]);
    }
}

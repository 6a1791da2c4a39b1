using System.Text;
using Azure;

namespace DeadlineAlerts.App.Api;

/// <summary>
/// The ETag an API response carries: strong and opaque (<c>"base64url of the table ETag"</c>), so clients
/// compare it byte for byte and never depend on Table Storage's <c>W/"datetime'…'"</c> format.
/// <see cref="Parse"/> turns an <c>If-Match</c> value back into the table ETag; <c>*</c> is
/// <see cref="ETag.All"/>, and a value this host never issued is returned as is, so it simply fails to match (412).
/// </summary>
public static class ApiETag
{
    public static string Format(ETag tableETag) =>
        "\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes(tableETag.ToString())).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "\"";

    /// <summary>Null when the header is absent or blank.</summary>
    public static ETag? Parse(string? ifMatch)
    {
        if (string.IsNullOrWhiteSpace(ifMatch)) return null;
        var v = ifMatch.Trim();
        if (v == "*") return ETag.All;
        if (v.StartsWith("W/", StringComparison.Ordinal)) v = v[2..];
        v = v.Trim('"');
        try
        {
            var b64 = v.Replace('-', '+').Replace('_', '/');
            b64 += new string('=', (4 - b64.Length % 4) % 4);
            return new ETag(Encoding.UTF8.GetString(Convert.FromBase64String(b64)));
        }
        catch (FormatException)
        {
            return new ETag(v);
        }
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DeadlineAlerts.Delivery.Email.Acs;

/// <summary>
/// ACS access-key authentication ("Sign an HTTP request", Azure Communication Services docs). For each request:
/// <code>
/// x-ms-date:           RFC 1123 date, e.g. "Tue, 12 Aug 2025 04:01:00 GMT"
/// x-ms-content-sha256: base64(SHA-256(body bytes))            (the empty body hashes too)
/// string to sign:      "{VERB}\n{path and query}\n{x-ms-date};{host};{x-ms-content-sha256}"
/// Authorization:       "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&amp;Signature=" + base64(HMAC-SHA256(key, string to sign))
/// </code>
/// where <c>host</c> is the URI authority (host, and port when not the default) and the key is the base64-decoded access key.
/// </summary>
public static class AcsHmacSigner
{
    public const string SignedHeaders = "x-ms-date;host;x-ms-content-sha256";

    public static string ContentHash(ReadOnlySpan<byte> body) => Convert.ToBase64String(SHA256.HashData(body));

    public static string Date(DateTimeOffset now) => now.ToUniversalTime().ToString("r", CultureInfo.InvariantCulture);

    public static string StringToSign(string verb, Uri uri, string date, string contentHash) =>
        $"{verb.ToUpperInvariant()}\n{uri.PathAndQuery}\n{date};{uri.Authority};{contentHash}";

    public static string Signature(byte[] key, string stringToSign) =>
        Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));

    public static string Authorization(string signature) => $"HMAC-SHA256 SignedHeaders={SignedHeaders}&Signature={signature}";

    /// <summary>Adds <c>x-ms-date</c>, <c>x-ms-content-sha256</c> and <c>Authorization</c> for <paramref name="body"/> (HttpClient adds <c>Host</c>).</summary>
    public static void Sign(HttpRequestMessage request, byte[] key, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        var date = Date(now);
        var hash = ContentHash(body);
        var signature = Signature(key, StringToSign(request.Method.Method, request.RequestUri!, date, hash));
        request.Headers.TryAddWithoutValidation("x-ms-date", date);
        request.Headers.TryAddWithoutValidation("x-ms-content-sha256", hash);
        request.Headers.TryAddWithoutValidation("Authorization", Authorization(signature));
    }
}

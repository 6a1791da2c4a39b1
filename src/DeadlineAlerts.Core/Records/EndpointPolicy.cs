using System.Net;
using System.Net.Sockets;

namespace DeadlineAlerts.Core.Records;

/// <summary>
/// Where webhooks may point. Outside the allow list a URL must be https and must not reach loopback,
/// private, link-local or cloud metadata addresses; that is checked on the text here (import) and again on
/// the resolved address at send time. Hosts in <see cref="AllowHosts"/> (<c>host</c> or <c>host:port</c>)
/// are exempt: the local demo and the tests list their own listeners.
/// </summary>
public sealed class EndpointPolicy
{
    public static readonly EndpointPolicy Strict = new([]);

    public IReadOnlyCollection<string> AllowHosts { get; }

    public EndpointPolicy(IEnumerable<string> allowHosts) =>
        AllowHosts = allowHosts.Select(h => h.Trim().ToLowerInvariant()).Where(h => h.Length > 0).Select(NormaliseEntry).ToHashSet();

    /// <summary>An allow-list entry (<c>host</c>, <c>host:port</c>, <c>[v6]:port</c>) with its host spelled as <see cref="NormaliseHost"/> spells it.</summary>
    private static string NormaliseEntry(string entry)
    {
        if (entry.StartsWith('[')) return entry; // [v6]:port, already one spelling once lower-cased
        var colon = entry.LastIndexOf(':');
        if (colon > 0 && entry.IndexOf(':') == colon && int.TryParse(entry[(colon + 1)..], out _))
            return (NormaliseHost(entry[..colon]) ?? entry[..colon]) + entry[colon..];
        return NormaliseHost(entry) ?? entry;
    }

    public static EndpointPolicy FromSetting(string? commaSeparated) =>
        new((commaSeparated ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    public bool IsAllowListed(Uri uri) => IsAllowListed(uri.Host, uri.Port);

    /// <summary>Whether <paramref name="host"/> (any spelling: case, trailing dot, Unicode or punycode) is on the allow list, alone or with <paramref name="port"/>.</summary>
    public bool IsAllowListed(string host, int port)
    {
        if (NormaliseHost(host) is not { } h) return false;
        return AllowHosts.Contains(h) || AllowHosts.Contains($"{h}:{port}") || AllowHosts.Contains($"[{h}]:{port}");
    }

    /// <summary>
    /// The one spelling of a host name that the address rules judge, here (on the URL text) and at connect time
    /// (<c>GuardedConnect</c>): lower case, without the trailing dot of a fully qualified name (<c>localhost.</c> is
    /// <c>localhost</c>), internationalised names in their ASCII (punycode) form by UTS #46 mapping (so full-width
    /// <c>ｌｏｃａｌｈｏｓｔ</c> is <c>localhost</c>), IPv6 literals without brackets. Null when the name is not a
    /// valid host name.
    /// </summary>
    public static string? NormaliseHost(string? host)
    {
        if (string.IsNullOrWhiteSpace(host)) return null;
        var h = host.Trim();
        if (h.StartsWith('[') && h.EndsWith(']')) h = h[1..^1];
        if (h.Contains(':')) return IPAddress.TryParse(h, out var v6) ? v6.ToString().ToLowerInvariant() : null;
        h = h.TrimEnd('.');
        if (h.Length == 0) return null;
        try { h = Idn.GetAscii(h); }
        catch (ArgumentException) { return null; }
        h = h.ToLowerInvariant().TrimEnd('.');
        // A name whose last label is a number is an IPv4 address in one of the forms resolvers accept ("127.0.0.1.",
        // "2130706433", "0x7f.1"): no top-level domain is numeric, so judge it as the address it is.
        var last = h[(h.LastIndexOf('.') + 1)..];
        if ((last.Length > 0 && last.All(char.IsAsciiDigit)) || last.StartsWith("0x", StringComparison.Ordinal))
            return IPAddress.TryParse(h, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork ? v4.ToString() : null;
        return h;
    }

    private static readonly System.Globalization.IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = false };

    /// <summary>Null when the URL text is acceptable, else the problem (never repeating the URL).</summary>
    public string? Problem(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return "is missing; give the https URL the service gave you";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            return "is not an absolute http(s) URL; give the full https://... address";
        if (NormaliseHost(uri.Host) is not { } host)
            return "has a host name that is not a valid domain name; give the address the service gave you";
        if (IsAllowListed(host, uri.Port)) return null;
        if (uri.Scheme != Uri.UriSchemeHttps)
            return "must use https (plain http is accepted only for hosts listed in DeadlineAlerts__Delivery__AllowHosts)";
        if (IPAddress.TryParse(host, out var ip) && IsForbidden(ip))
            return "points at a loopback, private, link-local or metadata address, or another reserved range; only public hosts are allowed unless listed in DeadlineAlerts__Delivery__AllowHosts";
        if (host == "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal))
            return "points at localhost; only public hosts are allowed unless listed in DeadlineAlerts__Delivery__AllowHosts";
        return null;
    }

    /// <summary>
    /// Addresses a webhook must never reach: anything that is not a globally routed unicast address. IPv4-mapped
    /// (<c>::ffff:a.b.c.d</c>), NAT64 (<c>64:ff9b::a.b.c.d</c>) and 6to4 (<c>2002:AABB:CCDD::</c>) addresses are judged
    /// by the IPv4 address they carry, because that is where the packets end up.
    /// </summary>
    public static bool IsForbidden(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6) return IsForbidden(ip.MapToIPv4());
        var bytes = ip.GetAddressBytes();
        if (ip.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (Matches(bytes, Nat64, 96)) return IsForbidden(new IPAddress(bytes[12..16]));
            if (Matches(bytes, SixToFour, 16)) return IsForbidden(new IPAddress(bytes[2..6]));
        }
        foreach (var (prefix, bits, _) in ForbiddenRanges)
            if (prefix.Length == bytes.Length && Matches(bytes, prefix, bits)) return true;
        return false;
    }

    /// <summary>Every range <see cref="IsForbidden"/> refuses outright, with why (the IANA special-purpose address registries, RFC 6890).</summary>
    private static readonly IReadOnlyList<(byte[] Prefix, int Bits, string Why)> ForbiddenRanges =
    [
        (V4(0, 0, 0, 0), 8, "\"this network\", including 0.0.0.0"),
        (V4(10, 0, 0, 0), 8, "private"),
        (V4(100, 64, 0, 0), 10, "carrier-grade NAT"),
        (V4(127, 0, 0, 0), 8, "loopback"),
        (V4(169, 254, 0, 0), 16, "link-local, including the 169.254.169.254 metadata service"),
        (V4(172, 16, 0, 0), 12, "private"),
        (V4(192, 0, 0, 0), 24, "IETF protocol assignments"),
        (V4(192, 0, 2, 0), 24, "documentation (TEST-NET-1)"),
        (V4(192, 168, 0, 0), 16, "private"),
        (V4(198, 18, 0, 0), 15, "benchmarking"),
        (V4(198, 51, 100, 0), 24, "documentation (TEST-NET-2)"),
        (V4(203, 0, 113, 0), 24, "documentation (TEST-NET-3)"),
        (V4(224, 0, 0, 0), 4, "multicast"),
        (V4(240, 0, 0, 0), 4, "reserved, including the 255.255.255.255 broadcast"),
        (V6(0x0000), 96, "unspecified (::), loopback (::1) and the deprecated IPv4-compatible ::a.b.c.d"),
        (V6(0x0064, 0xff9b, 0x0001), 48, "local-use NAT64"),
        (V6(0x0100), 64, "discard-only"),
        (V6(0x2001, 0x0db8), 32, "documentation"),
        (V6(0xfc00), 7, "unique local (private)"),
        (V6(0xfe80), 10, "link-local"),
        (V6(0xfec0), 10, "site-local (deprecated)"),
        (V6(0xff00), 8, "multicast"),
    ];

    private static readonly byte[] Nat64 = V6(0x0064, 0xff9b);
    private static readonly byte[] SixToFour = V6(0x2002);

    private static byte[] V4(byte a, byte b, byte c, byte d) => [a, b, c, d];

    private static byte[] V6(params ushort[] groups)
    {
        var bytes = new byte[16];
        for (var i = 0; i < groups.Length; i++) { bytes[2 * i] = (byte)(groups[i] >> 8); bytes[2 * i + 1] = (byte)groups[i]; }
        return bytes;
    }

    private static bool Matches(byte[] address, byte[] prefix, int bits)
    {
        for (var i = 0; i < bits; i++)
        {
            var mask = 0x80 >> (i % 8);
            if ((address[i / 8] & mask) != (prefix[i / 8] & mask)) return false;
        }
        return true;
    }
}

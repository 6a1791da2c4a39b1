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
        AllowHosts = allowHosts.Select(h => h.Trim().ToLowerInvariant()).Where(h => h.Length > 0).ToHashSet();

    public static EndpointPolicy FromSetting(string? commaSeparated) =>
        new((commaSeparated ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    public bool IsAllowListed(Uri uri) =>
        AllowHosts.Contains(uri.Host.ToLowerInvariant()) || AllowHosts.Contains($"{uri.Host.ToLowerInvariant()}:{uri.Port}")
        || AllowHosts.Contains($"[{uri.Host.Trim('[', ']').ToLowerInvariant()}]:{uri.Port}");

    /// <summary>Null when the URL text is acceptable, else the problem (never repeating the URL).</summary>
    public string? Problem(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return "is missing; give the https URL the service gave you";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            return "is not an absolute http(s) URL; give the full https://... address";
        if (IsAllowListed(uri)) return null;
        if (uri.Scheme != Uri.UriSchemeHttps)
            return "must use https (plain http is accepted only for hosts listed in DeadlineAlerts__Delivery__AllowHosts)";
        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IsForbidden(ip))
            return "points at a loopback, private, link-local or metadata address; only public hosts are allowed unless listed in DeadlineAlerts__Delivery__AllowHosts";
        if (uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || uri.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            return "points at localhost; only public hosts are allowed unless listed in DeadlineAlerts__Delivery__AllowHosts";
        return null;
    }

    /// <summary>Addresses a webhook must never reach: loopback, private, link-local (metadata), CGNAT, unspecified, multicast.</summary>
    public static bool IsForbidden(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)) return true;
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = ip.GetAddressBytes();
            return b[0] == 10 || b[0] == 0 || b[0] >= 224
                   || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                   || (b[0] == 192 && b[1] == 168)
                   || (b[0] == 169 && b[1] == 254)           // link-local, incl. 169.254.169.254 metadata
                   || (b[0] == 100 && b[1] >= 64 && b[1] <= 127); // carrier-grade NAT
        }
        return ip.IsIPv6LinkLocal || ip.IsIPv6SiteLocal || ip.IsIPv6Multicast || ip.IsIPv6UniqueLocal;
    }
}

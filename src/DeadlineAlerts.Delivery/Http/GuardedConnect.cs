using System.Net;
using System.Net.Sockets;
using DeadlineAlerts.Core.Records;

namespace DeadlineAlerts.Delivery.Http;

/// <summary>
/// The send-time half of the SSRF rule (the import-time half is <see cref="EndpointPolicy.Problem"/> on the
/// URL text). A <see cref="SocketsHttpHandler.ConnectCallback"/> resolves the host itself and connects only
/// to addresses that <see cref="EndpointPolicy.IsForbidden"/> lets through, so a public name that resolves
/// (or is re-pointed, DNS rebinding) to 127.0.0.1, 10.x or 169.254.169.254 is refused at the socket, after
/// any redirect or proxy logic could have changed the target. Hosts on the allow list connect anywhere.
/// </summary>
public static class GuardedConnect
{
    /// <summary>The primary handler of the delivery pipeline. No proxy (the guard must see the real peer), no redirects.</summary>
    public static SocketsHttpHandler CreateHandler(EndpointPolicy policy) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = (context, cancellationToken) => ConnectAsync(policy, context.DnsEndPoint, cancellationToken),
    };

    public static async ValueTask<Stream> ConnectAsync(EndpointPolicy policy, DnsEndPoint target, CancellationToken cancellationToken)
    {
        // The same spelling the URL check judged (EndpointPolicy.NormaliseHost): "LOCALHOST." and "localhost" are one host.
        var host = EndpointPolicy.NormaliseHost(target.Host) ?? throw new ForbiddenEndpointException("the host name is not a valid domain name");
        var allowListed = policy.IsAllowListed(host, target.Port);
        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var usable = allowListed ? addresses : addresses.Where(a => !EndpointPolicy.IsForbidden(a)).ToArray();
        if (usable.Length == 0)
            throw new ForbiddenEndpointException(addresses.Length == 0
                ? "the host name resolved to no address"
                : "the host resolves only to loopback, private, link-local or metadata addresses, or other reserved ranges; list it in DeadlineAlerts__Delivery__AllowHosts if that is intended");

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(usable, target.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>The endpoint may not be reached (SSRF rule); its message never repeats the URL.</summary>
public sealed class ForbiddenEndpointException(string message) : Exception(message);

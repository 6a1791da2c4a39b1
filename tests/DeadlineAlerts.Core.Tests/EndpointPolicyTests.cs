using System.Net;
using DeadlineAlerts.Core.Records;

namespace DeadlineAlerts.Core.Tests;

/// <summary>
/// The address rule behind both halves of the SSRF guard (URL text at import, resolved address at connect):
/// every address that is not globally routed unicast is refused, and IPv6 forms that carry an IPv4 address are
/// judged by that address.
/// </summary>
public sealed class EndpointPolicyTests
{
    [Theory]
    // IPv4: this network, private, CGNAT, loopback, link-local/metadata
    [InlineData("0.0.0.0")]
    [InlineData("0.255.255.255")]
    [InlineData("10.1.2.3")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.254")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("169.254.169.254")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    // IPv4: IETF assignments, documentation, benchmarking, multicast, reserved, broadcast
    [InlineData("192.0.0.8")]
    [InlineData("192.0.2.1")]
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.200")]
    [InlineData("198.18.0.1")]
    [InlineData("198.19.255.255")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    // IPv6: unspecified, loopback, unique local, link-local, site-local, multicast, documentation, discard
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("fe80::1")]
    [InlineData("febf:ffff::1")]
    [InlineData("fec0::1")]
    [InlineData("ff02::1")]
    [InlineData("ff0e::101")]
    [InlineData("2001:db8::1")]
    [InlineData("2001:db8:ffff::1")]
    [InlineData("100::1")]
    [InlineData("64:ff9b:1::a00:1")]
    // IPv6 carrying a forbidden IPv4 address: mapped, IPv4-compatible, NAT64, 6to4
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:203.0.113.5")]
    [InlineData("::127.0.0.1")]
    [InlineData("64:ff9b::127.0.0.1")]
    [InlineData("64:ff9b::10.0.0.1")]
    [InlineData("64:ff9b::169.254.169.254")]
    [InlineData("64:ff9b::192.0.2.33")]
    [InlineData("2002:7f00:1::")]
    [InlineData("2002:a9fe:a9fe::1")]
    public void Special_purpose_addresses_are_forbidden(string address)
    {
        Assert.True(EndpointPolicy.IsForbidden(IPAddress.Parse(address)), $"{address} should be forbidden");
    }

    [Theory]
    [InlineData("1.1.1.1")]
    [InlineData("8.8.8.8")]
    [InlineData("9.255.255.255")]       // just below 10/8
    [InlineData("11.0.0.0")]            // just above 10/8
    [InlineData("100.63.255.255")]      // just below CGNAT
    [InlineData("100.128.0.0")]         // just above CGNAT
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("192.0.1.1")]
    [InlineData("192.0.3.1")]
    [InlineData("198.17.255.255")]
    [InlineData("198.20.0.0")]
    [InlineData("198.51.99.1")]
    [InlineData("203.0.114.1")]
    [InlineData("223.255.255.254")]     // last unicast before multicast
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("2001:db9::1")]         // just outside the documentation /32
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::8.8.8.8")]
    [InlineData("2002:808:808::1")]     // 6to4 of 8.8.8.8
    public void Public_unicast_addresses_are_allowed(string address)
    {
        Assert.False(EndpointPolicy.IsForbidden(IPAddress.Parse(address)), $"{address} should be allowed");
    }

    [Theory]
    [InlineData("https://192.0.2.10/hook")]
    [InlineData("https://198.18.0.5/hook")]
    [InlineData("https://240.0.0.1/hook")]
    [InlineData("https://255.255.255.255/hook")]
    [InlineData("https://224.0.0.251/hook")]
    [InlineData("https://[2001:db8::10]/hook")]
    [InlineData("https://[64:ff9b::a9fe:a9fe]/hook")]
    [InlineData("https://[ff02::1]/hook")]
    public void A_url_naming_a_reserved_address_is_refused_at_import(string url)
    {
        Assert.Contains("reserved range", EndpointPolicy.Strict.Problem(url));
    }

    [Fact]
    public void A_url_naming_a_public_address_is_accepted()
    {
        Assert.Null(EndpointPolicy.Strict.Problem("https://8.8.8.8/hook"));
        Assert.Null(EndpointPolicy.Strict.Problem("https://[2606:4700:4700::1111]/hook"));
    }
}

/// <summary>Host names are judged in one spelling (EndpointPolicy.NormaliseHost), at import and at connect time.</summary>
public sealed class HostNormalisationTests
{
    [Theory]
    [InlineData("https://localhost/hook", "points at localhost")]
    [InlineData("https://localhost./hook", "points at localhost")]
    [InlineData("https://LOCALHOST/hook", "points at localhost")]
    [InlineData("https://LocalHost./hook", "points at localhost")]
    [InlineData("https://ｌｏｃａｌｈｏｓｔ/hook", "points at localhost")]
    [InlineData("https://api.localhost./hook", "points at localhost")]
    [InlineData("https://127.0.0.1./hook", "points at a loopback")]
    [InlineData("https://2130706433/hook", "points at a loopback")]
    [InlineData("https://169.254.169.254./latest", "points at a loopback")]
    public void Every_spelling_of_a_forbidden_host_is_refused_like_the_plain_one(string url, string problem)
    {
        Assert.StartsWith(problem, EndpointPolicy.Strict.Problem(url));
    }

    [Theory]
    [InlineData("localhost.", "localhost")]
    [InlineData("LOCALHOST", "localhost")]
    [InlineData("Hooks.Example.COM.", "hooks.example.com")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("BÜCHER.example.", "xn--bcher-kva.example")]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]
    [InlineData("127.0.0.1.", "127.0.0.1")]
    [InlineData("[::1]", "::1")]
    public void Host_names_are_normalised_for_case_trailing_dot_and_IDN(string host, string normalised)
    {
        Assert.Equal(normalised, EndpointPolicy.NormaliseHost(host));
    }

    [Fact]
    public void Public_hosts_stay_accepted_and_the_allow_list_matches_any_spelling()
    {
        Assert.Null(EndpointPolicy.Strict.Problem("https://hooks.slack.com./services/T000"));
        Assert.Null(EndpointPolicy.Strict.Problem("https://bücher.example/hook"));
        var policy = new EndpointPolicy(["LocalHost.:5099"]);
        Assert.Null(policy.Problem("http://localhost:5099/hook"));
        Assert.Null(policy.Problem("http://LOCALHOST.:5099/hook"));
        Assert.True(policy.IsAllowListed("localhost.", 5099));
        Assert.StartsWith("points at localhost", policy.Problem("https://localhost./other-port"));
    }
}

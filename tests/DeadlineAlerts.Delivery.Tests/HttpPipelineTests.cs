using System.Net;
using DeadlineAlerts.Core.Delivery;
using DeadlineAlerts.Core.Records;
using DeadlineAlerts.Delivery.Http;
using DeadlineAlerts.Delivery.Tests.Support;

namespace DeadlineAlerts.Delivery.Tests;

public sealed class HttpPipelineTests : IAsyncLifetime
{
    private LoopbackHttpServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackHttpServer.StartAsync(_ => Reply.Text(200, "ok"));
    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Connect_guard_refuses_127_0_0_1_when_not_allow_listed()
    {
        var e = await Assert.ThrowsAsync<ForbiddenEndpointException>(() =>
            GuardedConnect.ConnectAsync(EndpointPolicy.Strict, new DnsEndPoint("127.0.0.1", _server.BaseUri.Port), CancellationToken.None).AsTask());
        Assert.Contains("DeadlineAlerts__Delivery__AllowHosts", e.Message);
    }

    [Fact]
    public async Task Connect_guard_allows_127_0_0_1_when_allow_listed()
    {
        var policy = EndpointPolicy.FromSetting(_server.HostAndPort);

        await using var stream = await GuardedConnect.ConnectAsync(policy, new DnsEndPoint("127.0.0.1", _server.BaseUri.Port), CancellationToken.None);

        Assert.True(stream.CanWrite);
    }

    [Fact]
    public async Task Connect_guard_checks_the_resolved_address_not_the_name()
    {
        // A name, not an address: the guard resolves it itself and refuses the loopback answer (as it would a
        // public name re-pointed at 127.0.0.1). The text check is bypassed on purpose by using the handler directly.
        var name = "localhost";
        using var http = new HttpClient(GuardedConnect.CreateHandler(EndpointPolicy.Strict));

        var e = await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetAsync($"http://{name}:{_server.BaseUri.Port}/"));

        Assert.Equal(DeliveryStatus.Permanent, HttpOutcome.FromException(e).Status);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task A_url_the_text_check_refuses_is_permanent_without_a_request()
    {
        var services = DeliveryHost.Build(new Dictionary<string, string?>());
        var channel = new ChannelSpec { Type = ChannelSpec.Slack, Target = "https://169.254.169.254/latest/meta-data" };

        var outcome = await services.Channel("slack").SendAsync(Alerts.Sample(), channel, CancellationToken.None);

        Assert.Equal(DeliveryStatus.Permanent, outcome.Status);
        Assert.Contains("loopback, private, link-local or metadata", outcome.Reason);
        Assert.DoesNotContain("meta-data", outcome.Reason);
    }

    [Fact]
    public async Task Rate_limit_returns_a_retry_instead_of_waiting_past_the_bound()
    {
        var services = DeliveryHost.AllowingLoopback(_server,
            ("DeadlineAlerts:Delivery:PerHostPerSecond", "0.01"), ("DeadlineAlerts:Delivery:MaxRateWait", "00:00:01"));
        var hook = new ChannelSpec { Type = ChannelSpec.Teams, Target = new Uri(_server.BaseUri, "/a").ToString() };
        var other = hook with { Target = new Uri(_server.BaseUri, "/b").ToString() };

        var first = await services.Channel("teams").SendAsync(Alerts.Sample(), hook, CancellationToken.None);
        var second = await services.Channel("teams").SendAsync(Alerts.Sample(), other, CancellationToken.None);

        Assert.Equal(DeliveryStatus.Delivered, first.Status);
        Assert.Equal(DeliveryStatus.Retry, second.Status);
        Assert.StartsWith("local rate limit", second.Reason);
        Assert.True(second.RetryAfter > NodaTime.Duration.FromSeconds(1));
        Assert.Single(_server.Requests);
    }

    [Fact]
    public void Rate_schedule_spaces_slack_sends_one_second_apart_and_refuses_past_the_bound()
    {
        var schedule = new RateSchedule(1, TimeSpan.FromSeconds(1));
        var t0 = new DateTimeOffset(2025, 8, 5, 4, 1, 0, TimeSpan.Zero);

        Assert.Equal(new RateSchedule.Reservation(true, TimeSpan.Zero), schedule.Reserve(t0, TimeSpan.FromSeconds(5)));
        Assert.Equal(new RateSchedule.Reservation(true, TimeSpan.FromSeconds(1)), schedule.Reserve(t0, TimeSpan.FromSeconds(5)));
        Assert.Equal(new RateSchedule.Reservation(false, TimeSpan.FromSeconds(2)), schedule.Reserve(t0, TimeSpan.FromSeconds(1.5)));
        Assert.Equal(new RateSchedule.Reservation(true, TimeSpan.Zero), schedule.Reserve(t0.AddSeconds(2), TimeSpan.Zero));
    }

    [Fact]
    public void Rate_schedule_lets_a_burst_through_then_spaces()
    {
        var schedule = new RateSchedule(20, TimeSpan.FromSeconds(1), burst: 20);
        var t0 = DateTimeOffset.UnixEpoch;

        var waits = Enumerable.Range(0, 21).Select(_ => schedule.Reserve(t0, TimeSpan.FromSeconds(1)).Wait).ToList();

        Assert.All(waits.Take(20), w => Assert.Equal(TimeSpan.Zero, w));
        Assert.Equal(TimeSpan.FromMilliseconds(50), waits[20]);
    }

    [Fact]
    public void Slack_webhooks_are_paced_per_url_other_hosts_per_host()
    {
        Assert.NotEqual(HostRateLimiter.KeyFor(new Uri("https://hooks.slack.com/services/T1/B1/x")),
            HostRateLimiter.KeyFor(new Uri("https://hooks.slack.com/services/T1/B2/y")));
        Assert.Equal(HostRateLimiter.KeyFor(new Uri("https://example.com/a")), HostRateLimiter.KeyFor(new Uri("https://example.com/b")));
    }
}

using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.Core.Time;
using DeadlineAlerts.Delivery.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace DeadlineAlerts.App.Tests;

/// <summary>
/// One abstraction, two clocks (<see cref="Clocks"/>): NodaTime's <see cref="IClock"/> is the schedule
/// <see cref="TimeProvider"/>, and <c>--now</c> (<see cref="ClockRegistration.UseScheduleClockFrom"/>) moves that
/// clock and never the wire clock delivery stamps and paces with.
/// </summary>
public sealed class ClockTests
{
    private static readonly Instant Start = Instant.FromUtc(2025, 8, 1, 9, 0);

    private sealed class SetTime(Instant now) : TimeProvider
    {
        public Instant Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now.ToDateTimeOffset();
    }

    [Fact]
    public void IClock_reads_the_schedule_TimeProvider_and_follows_it()
    {
        var schedule = new SetTime(Start);
        var services = new ServiceCollection();
        services.AddKeyedSingleton<TimeProvider>(Clocks.Schedule, schedule);
        services.AddClocks();
        using var provider = services.BuildServiceProvider();
        var clock = provider.GetRequiredService<IClock>();

        Assert.Equal(Start, clock.GetCurrentInstant());
        schedule.Now = Start + Duration.FromMinutes(90);
        Assert.Equal(Start + Duration.FromMinutes(90), clock.GetCurrentInstant());
        Assert.Same(TimeProvider.System, provider.GetRequiredKeyedService<TimeProvider>(Clocks.Wire));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Now_moves_the_schedule_clock_and_IClock_but_not_the_wire_clock_delivery_reads(bool beforeTheApp)
    {
        var services = new ServiceCollection().AddLogging();
        if (beforeTheApp) services.UseScheduleClockFrom(Start);
        services.AddDeadlineAlerts(new ConfigurationBuilder().Build());
        if (!beforeTheApp) services.UseScheduleClockFrom(Start);
        await using var provider = services.BuildServiceProvider();
        var schedule = provider.GetRequiredKeyedService<TimeProvider>(Clocks.Schedule);
        var wire = provider.GetRequiredKeyedService<TimeProvider>(Clocks.Wire);
        var clock = provider.GetRequiredService<IClock>();

        var realBefore = DateTimeOffset.UtcNow;
        var scheduleNow = schedule.GetUtcNow();
        var clockNow = clock.GetCurrentInstant();
        var wireNow = wire.GetUtcNow();
        var realAfter = DateTimeOffset.UtcNow;

        // The schedule clock stands at --now (plus the few milliseconds since it was made); IClock reads the same.
        Assert.InRange(scheduleNow, Start.ToDateTimeOffset(), Start.ToDateTimeOffset().AddSeconds(30));
        Assert.InRange(clockNow, Instant.FromDateTimeOffset(scheduleNow), Instant.FromDateTimeOffset(scheduleNow) + Duration.FromSeconds(30));
        // The wire clock is real time, and it is the clock delivery stamps webhooks and Retry-After dates with.
        Assert.InRange(wireNow, realBefore, realAfter);
        Assert.Same(wire, provider.GetRequiredService<HttpDelivery>().Wire);

        // --now runs on with real elapsed time: leases and retry delays still pass.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var ran = schedule.GetUtcNow() - scheduleNow;
        Assert.InRange(ran, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30));
    }
}

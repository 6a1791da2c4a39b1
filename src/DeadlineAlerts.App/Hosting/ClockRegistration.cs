using DeadlineAlerts.Core.Time;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;

namespace DeadlineAlerts.App.Hosting;

/// <summary>
/// The app's two clocks (<see cref="Clocks"/>), both <see cref="TimeProvider"/>s: the schedule clock, which
/// <c>--now</c> moves, and the wire clock, which is always real. NodaTime's <see cref="IClock"/> is the schedule
/// clock seen through <see cref="TimeProviderClock"/>, so planning, countdowns, the late and stale rules, digests
/// and leases keep their NodaTime arithmetic and read the one clock <c>--now</c> moves.
/// </summary>
public static class ClockRegistration
{
    /// <summary>Both clocks on the system's time, and <see cref="IClock"/> over the schedule clock; an earlier registration of any of them stays.</summary>
    public static IServiceCollection AddClocks(this IServiceCollection services)
    {
        services.TryAddKeyedSingleton(Clocks.Schedule, TimeProvider.System);
        services.TryAddKeyedSingleton(Clocks.Wire, TimeProvider.System);
        services.TryAddSingleton<IClock>(sp => new TimeProviderClock(sp.GetRequiredKeyedService<TimeProvider>(Clocks.Schedule)));
        return services;
    }

    /// <summary>
    /// <c>--now</c>: the schedule clock starts at <paramref name="start"/> and runs on with real elapsed time
    /// (<see cref="RunningTimeProvider"/>); the wire clock stays real. Call it before or after
    /// <see cref="ServiceCollectionExtensions.AddDeadlineAlerts"/>: it replaces the schedule clock either way.
    /// </summary>
    public static IServiceCollection UseScheduleClockFrom(this IServiceCollection services, Instant start)
    {
        services.RemoveAllKeyed<TimeProvider>(Clocks.Schedule);
        services.AddKeyedSingleton<TimeProvider>(Clocks.Schedule, new RunningTimeProvider(start));
        return services.AddClocks();
    }
}

using System.Diagnostics;
using NodaTime;

namespace DeadlineAlerts.Cli.Hosting;

/// <summary>
/// The clock behind <c>--now</c>: it reads the given instant when the command starts and runs on with real
/// elapsed time from there, so a tick happens "at" that instant while leases and retry delays still pass.
/// </summary>
public sealed class RunningClock(Instant start) : IClock
{
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    public Instant GetCurrentInstant() => start + Duration.FromTimeSpan(_elapsed.Elapsed);
}

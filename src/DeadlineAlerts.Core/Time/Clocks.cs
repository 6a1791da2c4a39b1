namespace DeadlineAlerts.Core.Time;

/// <summary>
/// The two clocks of the app, both <see cref="TimeProvider"/>s registered under these keys; each use says which
/// it reads (<c>[FromKeyedServices(Clocks.Wire)]</c>, <c>GetRequiredKeyedService&lt;TimeProvider&gt;(Clocks.Schedule)</c>).
/// <list type="bullet">
/// <item><see cref="Schedule"/>: when things are due. Planning, countdowns, the late and stale rules, digests,
/// leases, audit times. <c>dla --now</c> moves it; NodaTime's <c>IClock</c> is this clock (<see cref="TimeProviderClock"/>).</item>
/// <item><see cref="Wire"/>: always real time. What a receiver checks against its own clock: ACS <c>x-ms-date</c>
/// (ACS refuses a request more than a few minutes off), the SMTP <c>Date</c> header, Standard Webhooks'
/// <c>webhook-timestamp</c> (receivers refuse one more than 5 minutes off), dates in <c>Retry-After</c>, and the
/// per-host rate limiting and ACS pacing. <c>--now</c> never moves it.</item>
/// </list>
/// </summary>
public static class Clocks
{
    /// <summary>The key of the schedule clock: what <c>--now</c> moves.</summary>
    public const string Schedule = "schedule";

    /// <summary>The key of the wire clock: real time, always.</summary>
    public const string Wire = "wire";
}

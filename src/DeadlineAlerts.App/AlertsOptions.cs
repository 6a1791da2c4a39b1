namespace DeadlineAlerts.App;

/// <summary>Settings under <c>DeadlineAlerts</c> (env <c>DeadlineAlerts__*</c>) that shape scan and delivery.</summary>
public sealed class AlertsOptions
{
    public const string Section = "DeadlineAlerts";

    /// <summary>
    /// How often a tick runs. Must match the Functions app setting <c>ScanSchedule</c> (NCRONTAB, UTC): the
    /// late rule compares against it (an alert is late when its tick comes more than one period after it).
    /// </summary>
    public TimeSpan ScanPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Send attempts per delivery before it is failed and copied to the poison queue.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>First retry delay; doubles per attempt (with ±20% jitter) up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Sends in flight at once in one process (all messages together).</summary>
    public int DeliveryConcurrency { get; set; } = 64;

    /// <summary>Queue messages the local host (`dla run`, `dla serve`) handles at once; under Functions the
    /// host's <c>extensions.queues.batchSize</c> (host.json) plays this part.</summary>
    public int MessageConcurrency { get; set; } = 8;

    /// <summary>
    /// A late alert whose deadline passed more than this long ago is recorded as stale and not sent: after a long
    /// outage nobody is told "due now" about something a week old.
    /// </summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How often digests are checked: keep it equal to the Functions setting <c>DigestSchedule</c>. A digest
    /// sent more than one period after its local time is late, and its countdowns are measured from the moment
    /// it is sent rather than from its nominal time.
    /// </summary>
    public TimeSpan DigestPeriod { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long a worker owns a delivery it claimed; after that a crashed send may be retried. The local host
    /// receives queue messages with this visibility timeout, and the sweep re-queues a claimed row whose lease ran
    /// out, so the two can no longer disagree.
    /// </summary>
    public TimeSpan SendLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long the health check waits for storage before it reports it unreachable.</summary>
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Health is degraded when the oldest visible message of the alert queue has waited longer than this: nothing
    /// is taking messages (DeliverAlerts not triggered or not scaling, <c>dla run</c> not running). A working
    /// consumer takes a message within seconds; five minutes is five default scan periods.
    /// </summary>
    public TimeSpan HealthMaxMessageWait { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Health is degraded when more ledger rows than this are past their send time (plus the outbox's grace)
    /// and not final, by the unfinished index.</summary>
    public int HealthMaxOverdueRows { get; set; } = 100;
}

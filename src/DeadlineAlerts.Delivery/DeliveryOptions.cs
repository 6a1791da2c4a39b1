namespace DeadlineAlerts.Delivery;

/// <summary>Settings under <c>DeadlineAlerts:Delivery</c> (env <c>DeadlineAlerts__Delivery__*</c>).</summary>
public sealed class DeliveryOptions
{
    public const string Section = "DeadlineAlerts:Delivery";

    /// <summary>Comma-separated <c>host</c> or <c>host:port</c> exempt from the https/public-address rule.</summary>
    public string? AllowHosts { get; set; }

    /// <summary>Per-request timeout for webhook-style channels (time spent waiting for a rate-limit slot excluded).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Requests per second to one host (keyed by <c>host:port</c>) for webhook, Teams and other URLs.</summary>
    public double PerHostPerSecond { get; set; } = 20;

    /// <summary>Requests per second to one Slack incoming webhook (keyed by the full webhook URL): Slack allows about one.</summary>
    public double SlackPerWebhookPerSecond { get; set; } = 1;

    /// <summary>
    /// Longest a send waits for its rate-limit slot. A send that would wait longer is not made: it comes back
    /// as a Retry whose retry-after is the wait, so the queue, not a blocked function, carries the backlog.
    /// </summary>
    public TimeSpan MaxRateWait { get; set; } = TimeSpan.FromSeconds(10);
}

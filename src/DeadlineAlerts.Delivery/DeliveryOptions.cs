namespace DeadlineAlerts.Delivery;

/// <summary>Settings under <c>DeadlineAlerts:Delivery</c> (env <c>DeadlineAlerts__Delivery__*</c>).</summary>
public sealed class DeliveryOptions
{
    public const string Section = "DeadlineAlerts:Delivery";

    /// <summary>Comma-separated <c>host</c> or <c>host:port</c> exempt from the https/public-address rule.</summary>
    public string? AllowHosts { get; set; }

    /// <summary>Per-request timeout for webhook-style channels.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);
}

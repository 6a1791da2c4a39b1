namespace DeadlineAlerts.Delivery.Email.Smtp;

/// <summary>Settings under <c>DeadlineAlerts:Email:Smtp</c>.</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }

    /// <summary>587 (submission, STARTTLS) by default; 465 means TLS from the first byte.</summary>
    public int Port { get; set; } = 587;

    public string? UserName { get; set; }

    /// <summary>Secret. Never logged, never part of a reason.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Require STARTTLS (the default). When false: port 465 uses TLS on connect, any other port is plain text,
    /// which is accepted only for a loopback host (a local relay or test server).
    /// </summary>
    public bool UseStartTls { get; set; } = true;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

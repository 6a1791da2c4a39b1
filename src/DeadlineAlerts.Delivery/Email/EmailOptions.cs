using DeadlineAlerts.Delivery.Email.Acs;
using DeadlineAlerts.Delivery.Email.Smtp;

namespace DeadlineAlerts.Delivery.Email;

/// <summary>Settings under <c>DeadlineAlerts:Email</c> (env <c>DeadlineAlerts__Email__*</c>).</summary>
public sealed class EmailOptions
{
    public const string Section = "DeadlineAlerts:Email";

    /// <summary><c>acs</c> (Azure Communication Services), <c>smtp</c>, or <c>pickup</c> (write .eml files; local demo).</summary>
    public string? Transport { get; set; }

    /// <summary>Sender address; for ACS it must belong to a verified domain connected to the resource.</summary>
    public string? From { get; set; }

    public string FromName { get; set; } = "Deadline Alerts";

    /// <summary>Folder for <c>Transport=pickup</c>: one <c>.eml</c> file per email.</summary>
    public string? PickupDirectory { get; set; }

    public AcsEmailClientOptions Acs { get; set; } = new();
    public SmtpOptions Smtp { get; set; } = new();
}

using DeadlineAlerts.Core.Settings;
using DeadlineAlerts.Delivery.Email;
using Microsoft.Extensions.Options;

namespace DeadlineAlerts.Delivery;

/// <summary>Timeouts positive, rates above zero: a zero timeout fails every send, a zero rate never sends.</summary>
public sealed class DeliveryOptionsValidator : IValidateOptions<DeliveryOptions>
{
    public ValidateOptionsResult Validate(string? name, DeliveryOptions options)
    {
        var rules = new SettingRules(DeliveryOptions.Section);
        rules.Positive(nameof(options.RequestTimeout), options.RequestTimeout);
        rules.Positive(nameof(options.PerHostPerSecond), options.PerHostPerSecond);
        rules.Positive(nameof(options.SlackPerWebhookPerSecond), options.SlackPerWebhookPerSecond);
        rules.NotNegative(nameof(options.MaxRateWait), options.MaxRateWait);
        return rules.Problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(rules.Problems);
    }
}

/// <summary>
/// Only the numbers: missing or unusable email settings (no transport, no sender, no SMTP host) keep their old
/// behaviour, a startup warning and no email (<see cref="DeliveryServiceCollectionExtensions.CreateEmailSender"/>),
/// so that one unconfigured channel does not stop the others.
/// </summary>
public sealed class EmailOptionsValidator : IValidateOptions<EmailOptions>
{
    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        var acs = new SettingRules(EmailOptions.Section + ":Acs");
        acs.AtLeastOne(nameof(options.Acs.MaxPerMinute), options.Acs.MaxPerMinute);
        acs.NotNegative(nameof(options.Acs.MaxPacingWait), options.Acs.MaxPacingWait);
        acs.Positive(nameof(options.Acs.MaxPollDuration), options.Acs.MaxPollDuration);
        acs.Positive(nameof(options.Acs.MaxPollInterval), options.Acs.MaxPollInterval);
        acs.Positive(nameof(options.Acs.DefaultPollInterval), options.Acs.DefaultPollInterval);
        acs.Positive(nameof(options.Acs.RequestTimeout), options.Acs.RequestTimeout);
        var smtp = new SettingRules(EmailOptions.Section + ":Smtp");
        if (options.Smtp.Port is < 1 or > 65535)
            smtp.Add(SettingProblem.Of(smtp.Name(nameof(options.Smtp.Port)), options.Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "give a TCP port from 1 to 65535 (587 for STARTTLS, 465 for TLS on connect)"));
        smtp.Positive(nameof(options.Smtp.Timeout), options.Smtp.Timeout);
        var problems = acs.Problems.Concat(smtp.Problems).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

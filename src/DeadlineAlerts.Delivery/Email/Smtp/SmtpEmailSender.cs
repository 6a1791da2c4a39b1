using System.Net;
using System.Net.Sockets;
using DeadlineAlerts.Core.Delivery;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using NodaTime;

namespace DeadlineAlerts.Delivery.Email.Smtp;

/// <summary>
/// The <c>smtp</c> email transport (MailKit). One connection per email: alerts are few and a fresh
/// connection cannot inherit a broken session. How failures read:
/// <list type="bullet">
/// <item>a 4xx reply (greylisting, mailbox busy, quota), a refused or dropped connection, a timeout, a TLS
/// handshake failure: Retry;</item>
/// <item>a 5xx reply to RCPT TO (no such mailbox): Permanent, channel broken (the address is wrong);</item>
/// <item>any other 5xx (sender or message refused), failed authentication, plain text to a non-loopback host:
/// Permanent, channel not broken (our configuration, not the subscriber).</item>
/// </list>
/// The Message-Id comes from the alert id (see <see cref="RenderedEmail.MessageId"/>) and is the provider message id.
/// </summary>
public sealed class SmtpEmailSender(EmailOptions options, TimeProvider? time = null) : IEmailSender
{
    private SmtpOptions Smtp => options.Smtp;
    public string Name => "smtp";

    /// <summary>Null when the settings can work; else what to fix (names settings, never values).</summary>
    public static string? Problem(SmtpOptions smtp)
    {
        if (string.IsNullOrWhiteSpace(smtp.Host)) return "set DeadlineAlerts__Email__Smtp__Host";
        if (smtp.Port is < 1 or > 65535) return "DeadlineAlerts__Email__Smtp__Port is not a port number";
        if (Security(smtp) == SecureSocketOptions.None && !IsLoopback(smtp.Host))
            return "SMTP without TLS is accepted only for a loopback host; set DeadlineAlerts__Email__Smtp__UseStartTls=true (or use port 465)";
        return null;
    }

    public static SecureSocketOptions Security(SmtpOptions smtp) =>
        smtp.UseStartTls ? SecureSocketOptions.StartTls : smtp.Port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.None;

    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    public async Task<DeliveryOutcome> SendAsync(RenderedEmail email, CancellationToken cancellationToken)
    {
        if (Problem(Smtp) is { } problem) return DeliveryOutcome.Permanent($"SMTP refused: {problem}");
        var message = MimeEmail.Build(email, options, (time ?? TimeProvider.System).GetUtcNow());
        using var client = new SmtpClient { Timeout = (int)Smtp.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(Smtp.Host!, Smtp.Port, Security(Smtp), cancellationToken);
            if (!string.IsNullOrEmpty(Smtp.UserName))
                await client.AuthenticateAsync(Smtp.UserName, Smtp.Password ?? "", cancellationToken);
            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(true, cancellationToken);
            return DeliveryOutcome.Delivered(email.MessageId);
        }
        catch (SmtpCommandException e)
        {
            var code = (int)e.StatusCode;
            var reason = $"SMTP {code} ({e.ErrorCode}): {Clean(e.Message)}";
            if (code is >= 400 and < 500) return DeliveryOutcome.Retry(reason);
            return DeliveryOutcome.Permanent(reason, channelBroken: e.ErrorCode == SmtpErrorCode.RecipientNotAccepted);
        }
        catch (AuthenticationException)
        {
            return DeliveryOutcome.Permanent("SMTP authentication failed; check DeadlineAlerts__Email__Smtp__UserName and Password");
        }
        catch (Exception e) when (e is SmtpProtocolException or IOException or SocketException or SslHandshakeException
                                      or ServiceNotConnectedException or TimeoutException
                                      || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return DeliveryOutcome.Retry($"SMTP connection failed ({e.GetType().Name})");
        }
    }

    private static string Clean(string text) => Http.LinkText.Truncate(EmailRenderer.SingleLine(text), 200);
}

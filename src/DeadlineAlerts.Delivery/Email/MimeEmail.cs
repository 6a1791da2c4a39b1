using MimeKit;

namespace DeadlineAlerts.Delivery.Email;

/// <summary>A <see cref="RenderedEmail"/> as a MIME message (multipart/alternative: text, then HTML), for SMTP and pickup files.</summary>
public static class MimeEmail
{
    /// <summary>RFC 5322 §2.1.1: a line of a message is at most 998 characters before its CRLF.</summary>
    public const int MaxLineLength = 998;

    public static MimeMessage Build(RenderedEmail email, EmailOptions options, DateTimeOffset date)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(EmailRenderer.SingleLine(options.FromName), options.From!));
        message.To.Add(new MailboxAddress(email.ToName, email.To));
        message.Subject = email.Subject;
        message.MessageId = email.MessageId;
        message.Date = date;
        message.Headers.Add("X-DeadlineAlerts-Alert-Id", email.AlertId);
        foreach (var (name, value) in email.Headers) message.Headers.Add(name, value);
        message.Body = new BodyBuilder { TextBody = email.PlainText, HtmlBody = email.Html }.ToMessageBody();
        return message;
    }
}

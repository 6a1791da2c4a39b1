using DeadlineAlerts.Core.Delivery;
using MimeKit;

namespace DeadlineAlerts.Delivery.Email.Pickup;

/// <summary>
/// The <c>pickup</c> email transport: writes each email as <c>{alert id}.{channel id}.eml</c> into
/// <see cref="EmailOptions.PickupDirectory"/>, which any mail client opens (and which some local relays
/// collect). Writing is atomic (temp file, then rename) and idempotent: a retried alert finds its file and
/// is delivered without a second copy. The file is encoded as SMTP would send it: 7-bit, lines of at most 998
/// characters. For the local demo and development, not for production.
/// </summary>
public sealed class PickupDirectorySender(EmailOptions options, TimeProvider? time = null) : IEmailSender
{
    /// <summary>Lines end in CRLF as on the wire (RFC 5322), whatever the platform's own line ending.</summary>
    private static readonly FormatOptions Crlf = new() { NewLineFormat = NewLineFormat.Dos };

    public string Name => "pickup";

    public string Directory => Path.GetFullPath(options.PickupDirectory!);

    public static string FileName(RenderedEmail email) => $"{email.MessageId.Split('@')[0]}.eml";

    public async Task<DeliveryOutcome> SendAsync(RenderedEmail email, CancellationToken cancellationToken)
    {
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            var path = Path.Combine(Directory, FileName(email));
            if (File.Exists(path)) return DeliveryOutcome.Delivered(email.MessageId);
            var temp = path + $".{Guid.NewGuid():N}.tmp";
            var message = MimeEmail.Build(email, options, (time ?? TimeProvider.System).GetUtcNow());
            // What MailKit's SmtpClient does before it sends (to a server without 8BITMIME): each part that holds
            // non-ASCII text or a line over the limit gets quoted-printable or base64, so the file is 7-bit with
            // lines of at most 998 characters (RFC 5322 §2.1.1), as a relay that collects it expects.
            message.Prepare(EncodingConstraint.SevenBit, MimeEmail.MaxLineLength);
            await using (var stream = File.Create(temp)) await message.WriteToAsync(Crlf, stream, cancellationToken);
            try { File.Move(temp, path, overwrite: false); }
            catch (IOException) when (File.Exists(path)) { File.Delete(temp); }
            return DeliveryOutcome.Delivered(email.MessageId);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return DeliveryOutcome.Retry($"could not write to the pickup directory ({e.GetType().Name})");
        }
    }
}

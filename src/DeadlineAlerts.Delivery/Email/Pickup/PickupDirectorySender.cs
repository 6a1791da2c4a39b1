using DeadlineAlerts.Core.Delivery;

namespace DeadlineAlerts.Delivery.Email.Pickup;

/// <summary>
/// The <c>pickup</c> email transport: writes each email as <c>{alert id}.{channel id}.eml</c> into
/// <see cref="EmailOptions.PickupDirectory"/>, which any mail client opens (and which some local relays
/// collect). Writing is atomic (temp file, then rename) and idempotent: a retried alert finds its file and
/// is delivered without a second copy. For the local demo and development, not for production.
/// </summary>
public sealed class PickupDirectorySender(EmailOptions options, TimeProvider? time = null) : IEmailSender
{
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
            await using (var stream = File.Create(temp)) await message.WriteToAsync(stream, cancellationToken);
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

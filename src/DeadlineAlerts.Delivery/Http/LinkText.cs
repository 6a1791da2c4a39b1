namespace DeadlineAlerts.Delivery.Http;

/// <summary>Record text that is about to become a link target: only absolute http(s) URLs qualify.</summary>
public static class LinkText
{
    /// <summary>The normalised absolute http(s) URL, or null for anything else (javascript:, relative, garbage).</summary>
    public static string? SafeHttpUrl(string? text) =>
        !string.IsNullOrWhiteSpace(text) && Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri.AbsoluteUri
            : null;

    /// <summary>Cuts to <paramref name="max"/> characters, ending with an ellipsis when cut.</summary>
    public static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}

using System.Collections.Concurrent;
using System.Text;
using DeadlineAlerts.App.Api;

namespace DeadlineAlerts.App.OperatorConsole;

/// <summary>How the console sends the key typed into "Operator key": the header each host checks.</summary>
public enum ConsoleKeyHeader
{
    /// <summary><c>dla serve</c>: the router checks <c>X-Operator-Key</c>.</summary>
    OperatorKey,

    /// <summary>Azure Functions: the host checks a function key in <c>x-functions-key</c> before the router runs.</summary>
    FunctionKey,
}

/// <summary>
/// The operator console's files (<c>Console/wwwroot</c>, embedded in this assembly: no build step, no CDN),
/// answered the same way by both hosts: <c>dla serve</c> at <c>/console/</c> (and <c>/</c> redirects there),
/// the Functions app through the anonymous <c>Console</c> trigger at <c>/api/console/</c>. The page holds no
/// data; everything it shows comes from the operator routes with the key the operator types in.
/// Every answer carries a strict Content-Security-Policy (no inline script or style, nothing from elsewhere,
/// no framing) and <c>nosniff</c>.
/// </summary>
public static class ConsolePage
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly IReadOnlyDictionary<string, string> Types = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["console.css"] = "text/css; charset=utf-8",
        ["console.js"] = "text/javascript; charset=utf-8",
    };

    private static readonly ConcurrentDictionary<string, byte[]> Files = new();

    /// <summary>The files the console consists of (for hosts that list them).</summary>
    public static IEnumerable<string> FileNames => Types.Keys;

    /// <summary>
    /// The answer for <paramref name="file"/>, the path below the console's folder (<c>""</c> or
    /// <c>index.html</c> is the page); a 404 problem for anything else. <paramref name="keyHeader"/> goes into
    /// the page as a <c>meta</c> element, so the script sends the key where this host looks for it.
    /// </summary>
    public static ApiResponse Answer(string file, ConsoleKeyHeader keyHeader)
    {
        var name = file.Trim('/');
        if (name.Length == 0) name = "index.html";
        if (!Types.TryGetValue(name, out var type))
            return Headers(ApiResponse.Problem(ApiProblem.NotFound($"The console has no file {name}; open the console's page itself.")));
        var body = Files.GetOrAdd(name.ToLowerInvariant(), Read);
        if (name.Equals("index.html", StringComparison.OrdinalIgnoreCase))
            body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("{{keyHeader}}",
                keyHeader == ConsoleKeyHeader.FunctionKey ? "x-functions-key" : "X-Operator-Key", StringComparison.Ordinal));
        var r = new ApiResponse { Status = 200, ContentType = type, Body = body };
        r.Headers["Cache-Control"] = "no-cache";
        return Headers(r);
    }

    /// <summary>A redirect to the console's folder (from <c>/</c>, or the folder's path without its slash).</summary>
    public static ApiResponse Redirect(string location)
    {
        var r = new ApiResponse { Status = 302 };
        r.Headers["Location"] = location;
        return Headers(r);
    }

    private static ApiResponse Headers(ApiResponse r)
    {
        r.Headers["Content-Security-Policy"] = ContentSecurityPolicy;
        r.Headers["X-Content-Type-Options"] = "nosniff";
        r.Headers["X-Frame-Options"] = "DENY";
        r.Headers["Referrer-Policy"] = "no-referrer";
        return r;
    }

    private static byte[] Read(string name)
    {
        using var stream = typeof(ConsolePage).Assembly.GetManifestResourceStream("console/" + name)
                           ?? throw new InvalidOperationException($"The console file {name} is not embedded in {typeof(ConsolePage).Assembly.GetName().Name}.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}

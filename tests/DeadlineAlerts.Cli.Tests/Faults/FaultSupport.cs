using System.Globalization;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DeadlineAlerts.Testing;
using DeadlineAlerts.Testing.Processes;

namespace DeadlineAlerts.Cli.Tests.Faults;

/// <summary>Import files, times and checks shared by the fault tests.</summary>
internal static class FaultSupport
{
    /// <summary>README: <c>DeadlineAlerts__DeliveryConcurrency</c> default, the most sends one worker has in flight.</summary>
    /// <summary>Sends in flight at once in one host (AlertsOptions.DeliveryConcurrency).</summary>
    public const int DefaultDeliveryConcurrency = 64;
    /// <summary>Messages handled at once (AlertsOptions.MessageConcurrency), of up to 50 deliveries each (AlertQueue.PerMessage).
    /// A message's outcomes are written together once all its sends are done, so the deliveries of the messages in
    /// hand are what a kill can leave sent but unrecorded: the README's window of doubt.</summary>
    public const int DefaultInFlight = 8 * 50;

    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    public static string Local(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>
    /// <paramref name="subscribers"/> × <paramref name="deadlines"/> pairs, each with exactly one alert: deadline k is due
    /// one day (in a zone without DST, Africa/Abidjan = UTC) after <paramref name="fireAt"/> − k s with lead time P1D, so
    /// every alert fires in (fireAt − 1 min, fireAt]. Each subscriber has one webhook to the receiver.
    /// </summary>
    public static string Grid(FaultReceiver receiver, int subscribers, int deadlines, DateTimeOffset fireAt, string category = "fault",
        Func<int, DateTimeOffset>? fireOf = null)
    {
        fireOf ??= k => fireAt.AddSeconds(-k);
        var ds = Enumerable.Range(0, deadlines)
            .Select(k => Records.Deadline($"d{k:00}", Local(fireOf(k).AddDays(1)), "Africa/Abidjan", category, ["P1D"]))
            .ToArray();
        var ss = Enumerable.Range(0, subscribers)
            .Select(i => Records.Subscriber($"s{i:00}", receiver.Url($"s{i:00}"), "Asia/Shanghai", [category]))
            .ToArray();
        return Records.File(ds, ss);
    }

    public static HashSet<string> AlertIds(JsonArray preview) =>
        preview.Select(a => (string)a!["alertId"]!).ToHashSet(StringComparer.Ordinal);

    public static string Sample(IEnumerable<string> items, int n = 8)
    {
        var list = items.ToList();
        return list.Count == 0 ? "none" : $"{list.Count}: " + string.Join(", ", list.Take(n)) + (list.Count > n ? ", …" : "");
    }

    /// <summary>"Each planned id arrived exactly once, nothing else arrived": the problems, empty if none.</summary>
    public static IEnumerable<string> ExactlyOnce(ISet<string> planned, FaultReceiver receiver, string what) =>
        ExactlyOnce(planned, receiver.CountsById(), what);

    /// <summary>The same for counts by webhook-id (a receiver's, filtered).</summary>
    public static IEnumerable<string> ExactlyOnce(ISet<string> planned, IReadOnlyDictionary<string, int> counts, string what)
    {
        var missing = planned.Where(id => !counts.ContainsKey(id)).ToList();
        var twice = counts.Where(c => c.Value > 1 && planned.Contains(c.Key)).Select(c => $"{c.Key}×{c.Value}").ToList();
        var extra = counts.Keys.Where(id => !planned.Contains(id)).ToList();
        if (missing.Count > 0) yield return $"{what}: {missing.Count} of the {planned.Count} planned alert ids never arrived at the receiver (expected every one exactly once): {Sample(missing)}";
        if (twice.Count > 0) yield return $"{what}: alert ids arrived more than once (expected exactly once): {Sample(twice)}";
        if (extra.Count > 0) yield return $"{what}: webhook-ids arrived that are not among the planned alerts: {Sample(extra)}";
    }

    private static readonly Regex StackLine = new(@"^\s{2,}at \S", RegexOptions.Multiline);

    /// <summary>Lines that look like a .NET stack trace or an unhandled exception.</summary>
    public static IEnumerable<string> StackTraceLines(string output) =>
        output.Split('\n').Select(l => l.TrimEnd('\r'))
            .Where(l => StackLine.IsMatch(l) || l.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase));

    /// <summary>Waits for <paramref name="task"/>, failing clearly if <paramref name="process"/> exits first or time runs out.</summary>
    public static async Task WaitWhileRunning(Task task, ChildProcess process, TimeSpan timeout, string what)
    {
        var until = DateTime.UtcNow + timeout;
        while (!task.IsCompleted)
        {
            if (process.HasExited)
            {
                if (task.IsCompleted) break;
                Assert.Fail($"Expected {what} while `{process.Command}` was running, but it exited with code {process.ExitCode} first.\n{process.Tail()}");
            }
            if (DateTime.UtcNow > until) Assert.Fail($"Expected {what} within {timeout.TotalSeconds:0} s; it did not happen.\n{process.Tail()}");
            await Task.WhenAny(task, Task.Delay(50));
        }
        await task;
    }

    /// <summary>GET {api}/health: the HTTP status and the JSON (null if the body is not JSON), or (0, null) if nothing answered.</summary>
    public static async Task<(int Status, JsonNode? Json, string Body)> HealthAsync(string apiBase)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        try
        {
            using var response = await http.GetAsync(apiBase.TrimEnd('/') + "/health");
            var body = await response.Content.ReadAsStringAsync();
            JsonNode? json = null;
            try { json = JsonNode.Parse(body); } catch (System.Text.Json.JsonException) { }
            return ((int)response.StatusCode, json, body);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (0, null, e.GetType().Name + ": " + e.Message);
        }
    }

    /// <summary>Polls health until <paramref name="accept"/> holds; returns the last answer either way.</summary>
    public static async Task<(int Status, JsonNode? Json, string Body)> PollHealthAsync(string apiBase,
        Func<(int Status, JsonNode? Json, string Body), bool> accept, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var h = await HealthAsync(apiBase);
            if (accept(h) || DateTime.UtcNow > until) return h;
            await Task.Delay(500);
        }
    }

    /// <summary>Starts <c>dla serve --port 0</c> and returns it with its API base (…/api/), from the line "Serving the API on URL".</summary>
    public static async Task<(ChildProcess Serve, string Api)> ServeAsync(DlaProcess dla, params string[] extra)
    {
        var serve = dla.Start(["serve", "--port", "0", .. extra]);
        var line = await serve.WaitForTextAsync("Serving the API on ", TimeSpan.FromSeconds(45));
        var url = Regex.Match(line, @"Serving the API on (\S+)").Groups[1].Value;
        return (serve, url);
    }
}

/// <summary>Collects every failed expectation of a test and reports them together, so one run shows all that is missing.</summary>
internal sealed class Expectations
{
    private readonly List<string> _problems = [];

    public void That(bool ok, string problem) { if (!ok) _problems.Add(problem); }
    public void Add(IEnumerable<string> problems) => _problems.AddRange(problems);

    public void Verify(string context = "")
    {
        if (_problems.Count == 0) return;
        Assert.Fail($"{_problems.Count} expectation(s) not met:\n- " + string.Join("\n- ", _problems) + (context.Length > 0 ? "\n\n" + context : ""));
    }
}

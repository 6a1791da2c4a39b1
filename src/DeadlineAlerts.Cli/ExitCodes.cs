using Azure;
using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.App.Records;
using DeadlineAlerts.Core.Records;

namespace DeadlineAlerts.Cli;

/// <summary>A malformed command line: a missing or contradictory option (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Input that is well-formed but refused: an unknown record, an unwritable file, a taken port (exit code 1).</summary>
public sealed class BadInputException(string message) : Exception(message);

/// <summary>
/// The exit codes of <c>dla</c> (README "CLI") and the one place an exception becomes one: 0 ok, 1 bad input
/// (the operator can fix the file, the id, the setting), 2 usage (the command line itself), 3 failure (storage
/// unreachable or refusing: try again or fix the installation). An exception not listed here is a bug and is not
/// dressed up as an exit code: it propagates with its stack trace.
/// </summary>
public static class ExitCodes
{
    public const int Ok = 0, BadInput = 1, Usage = 2, Failure = 3;

    /// <summary>The exit code of an exception <c>dla</c> expects, or null for one it does not (a bug).</summary>
    public static int? Of(Exception e) => e switch
    {
        UsageException => Usage,
        RecordValidationException or BadInputException or SettingsInvalidException or StorageRefusedException => BadInput,
        RequestFailedException or HttpRequestException => Failure,
        // The Azure SDK gives up on an unreachable or silent endpoint with an AggregateException of its retries'
        // failures: refused connections, resets, per-try timeouts.
        AggregateException a when a.Flatten().InnerExceptions.All(i => i is RequestFailedException or HttpRequestException or IOException
            or TimeoutException or TaskCanceledException) => Failure,
        _ => null,
    };

    /// <summary>What the operator reads for an expected exception: what failed and the fix, never a stack trace, a URL or a key.</summary>
    public static async Task WriteAsync(Exception e, string command, TextWriter stderr)
    {
        switch (e)
        {
            case RecordValidationException v:
                await stderr.WriteLineAsync($"Nothing was {(command == "import" ? "imported" : "written")}: {v.Problems.Count} problem(s) found.");
                foreach (var p in v.Problems) await stderr.WriteLineAsync("  " + p); // RecordProblem escapes and shortens values
                break;
            case SettingsInvalidException:
                foreach (var line in e.Message.Split('\n')) await stderr.WriteLineAsync(CliText.T(line));
                break;
            case RequestFailedException r:
                await stderr.WriteLineAsync(StorageFailedText(r));
                break;
            case AggregateException or HttpRequestException:
                await stderr.WriteLineAsync(Unreachable);
                break;
            default:
                await stderr.WriteLineAsync(CliText.T(e.Message));
                break;
        }
    }

    private const string Unreachable = "Storage is unreachable. Is Azurite running (npx azurite --skipApiVersionCheck), and is --storage right?";

    /// <summary>
    /// A storage request that failed, for the operator. "Is Azurite running?" only when storage did not answer
    /// (status 0); an answer (a 4xx or 5xx) means storage is running and said no, so the hint would mislead.
    /// </summary>
    private static string StorageFailedText(RequestFailedException e) => e.Status switch
    {
        0 => Unreachable,
        401 or 403 => $"Storage refused access ({e.Status} {e.ErrorCode}): check the account key or the identity's data role for --storage (DeadlineAlerts__Storage).",
        >= 400 and < 500 => $"Storage refused the request ({e.Status} {e.ErrorCode}).",
        _ => $"Storage failed ({e.Status} {e.ErrorCode}); try again.",
    };

    /// <summary>A failure as the long-running hosts log it between ticks: what failed, never a stack trace, a URL or a key.</summary>
    public static string FailureText(Exception e) => e switch
    {
        RequestFailedException r when r.Status == 0 => "storage is unreachable",
        RequestFailedException r => $"storage answered {r.Status} {r.ErrorCode}",
        AggregateException or HttpRequestException or IOException or TimeoutException or TaskCanceledException => "storage is unreachable",
        _ => $"unexpected {e.GetType().Name}",
    };
}

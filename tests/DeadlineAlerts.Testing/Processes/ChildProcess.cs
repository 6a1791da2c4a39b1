using System.Diagnostics;
using System.Text;

namespace DeadlineAlerts.Testing.Processes;

/// <summary>What a finished child process left: its exit code and everything it printed.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;
}

/// <summary>
/// A real child process with captured stdout/stderr (line by line, as it prints), waits that always have a
/// timeout, SIGKILL of the whole tree and POSIX signals. Disposing kills it if it is still running.
/// Every failure message names the command and carries the tail of its output.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly object _gate = new();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waiters = [];
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How the process was started, for messages: program and arguments (no environment).</summary>
    public string Command { get; }
    public int Id => _process.Id;
    public bool KilledByTest { get; private set; }

    private ChildProcess(Process process, string command)
    {
        _process = process;
        Command = command;
    }

    public static ChildProcess Start(string fileName, IEnumerable<string> args, IDictionary<string, string?>? environment = null,
        IEnumerable<string>? removeEnvironmentPrefixes = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        var argList = args.ToList();
        foreach (var a in argList) info.ArgumentList.Add(a);
        foreach (var prefix in removeEnvironmentPrefixes ?? [])
            foreach (var key in info.Environment.Keys.Where(k => k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).ToList())
                info.Environment.Remove(key);
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>()) info.Environment[k] = v;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process, fileName + " " + string.Join(' ', argList.Select(a => a.Contains(' ') ? $"\"{a}\"" : a)));
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, stdout: true);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, stdout: false);
        if (!process.Start()) throw new InvalidOperationException($"Could not start {child.Command}");
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void OnLine(string? line, bool stdout)
    {
        if (line is null)
        {
            (stdout ? _stdoutClosed : _stderrClosed).TrySetResult();
            return;
        }
        List<TaskCompletionSource<string>> seen = [];
        lock (_gate)
        {
            (stdout ? _stdout : _stderr).AppendLine(line);
            foreach (var w in _waiters.Where(w => w.Match(line)).ToList())
            {
                _waiters.Remove(w);
                seen.Add(w.Seen);
            }
        }
        foreach (var s in seen) s.TrySetResult(line);
    }

    public string Stdout { get { lock (_gate) return _stdout.ToString(); } }
    public string Stderr { get { lock (_gate) return _stderr.ToString(); } }
    public string Output => Stdout + Stderr;

    public bool HasExited => _disposed || _process.HasExited;

    /// <summary>The tail of what it printed, for assertion messages.</summary>
    public string Tail(int chars = 4000)
    {
        var all = $"--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
        return all.Length <= chars ? all : "…" + all[^chars..];
    }

    /// <summary>Waits for a line (stdout or stderr) that matches; returns it. Throws with the output on timeout or exit.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var tcs = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var existing = (_stdout + "\n" + _stderr).Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(match);
            if (existing is not null) return existing;
            _waiters.Add((match, tcs));
        }
        var exited = _process.WaitForExitAsync();
        var done = await Task.WhenAny(tcs.Task, exited, Task.Delay(timeout));
        if (done == tcs.Task) return await tcs.Task;
        if (done == exited)
        {
            await Task.WhenAny(Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task), Task.Delay(2000));
            if (tcs.Task.IsCompleted) return await tcs.Task;
            throw new TimeoutException($"Expected {what} from `{Command}`, but it exited with code {_process.ExitCode} first.\n{Tail()}");
        }
        throw new TimeoutException($"Expected {what} from `{Command}` within {timeout.TotalSeconds:0} s; it did not come.\n{Tail()}");
    }

    public Task<string> WaitForTextAsync(string text, TimeSpan timeout) =>
        WaitForLineAsync(l => l.Contains(text, StringComparison.Ordinal), timeout, $"a line containing \"{text}\"");

    /// <summary>Waits for the exit; on timeout kills the tree and throws with the output.</summary>
    public async Task<ProcessResult> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"`{Command}` did not exit within {timeout.TotalSeconds:0} s (killed now).\n{Tail()}");
        }
        // The exit can be seen before the last lines are read: wait for both streams to close.
        await Task.WhenAny(Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task), Task.Delay(5000));
        return new ProcessResult(_process.ExitCode, Stdout, Stderr);
    }

    /// <summary>SIGKILL to the process and its children, then waits (bounded) until it is gone.</summary>
    public void Kill()
    {
        if (_disposed || _process.HasExited) return;
        KilledByTest = true;
        try { _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { return; } // exited meanwhile
        if (!_process.WaitForExit(10_000))
            throw new TimeoutException($"`{Command}` survived SIGKILL for 10 s.");
    }

    /// <summary>Sends a POSIX signal (SIGINT, SIGTERM) to the process itself; false if it is gone.</summary>
    public bool Signal(int signal) => !_process.HasExited && Signals.Send(_process.Id, signal);

    public int ExitCode => _process.ExitCode;

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        try { Kill(); } catch (TimeoutException) { } // before marking disposed: Kill does nothing to a disposed process
        _disposed = true;
        await Task.WhenAny(Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task), Task.Delay(2000));
        _process.Dispose();
    }
}

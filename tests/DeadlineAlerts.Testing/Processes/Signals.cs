using System.Runtime.InteropServices;

namespace DeadlineAlerts.Testing.Processes;

/// <summary>POSIX signals to a child process (Process.Kill only sends SIGKILL).</summary>
public static class Signals
{
    public const int SigInt = 2, SigKill = 9, SigTerm = 15;

    [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
    private static extern int SysKill(int pid, int sig);

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false if it could not (gone, or not POSIX).</summary>
    public static bool Send(int pid, int signal)
    {
        if (OperatingSystem.IsWindows()) return false;
        return SysKill(pid, signal) == 0;
    }
}

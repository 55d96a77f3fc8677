using System.Runtime.InteropServices;

namespace Kairos.Executors.Command;

/// <summary>POSIX signals sent with libc <c>kill(2)</c>.</summary>
internal static class Signals
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>True where <c>kill(2)</c> exists (Linux, macOS, the BSDs).</summary>
    public static bool Supported => !OperatingSystem.IsWindows();

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false if it could not be sent
    /// (no such process, not permitted, or no signals on this platform).</summary>
    public static bool Send(int pid, int signal)
    {
        if (!Supported || pid <= 0)
        {
            // pid <= 0 would address process groups (or everything); never do that by accident.
            return false;
        }
        return NativeMethods.kill(pid, signal) == 0;
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // a plain int(int, int) call needs no marshalling source generator
        internal static extern int kill(int pid, int sig);
#pragma warning restore SYSLIB1054
    }
}

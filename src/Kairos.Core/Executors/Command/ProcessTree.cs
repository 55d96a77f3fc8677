using System.Globalization;

namespace Kairos.Executors.Command;

/// <summary>
/// The descendants of a process at one moment, read from <c>/proc</c> (Linux only; elsewhere empty).
/// Each one is remembered with its start time so that a pid reused by an unrelated process later is
/// never signalled.
/// </summary>
internal sealed class ProcessTree
{
    private readonly List<(int Pid, long StartTime)> _descendants;

    private ProcessTree(List<(int Pid, long StartTime)> descendants) => _descendants = descendants;

    public int Count => _descendants.Count;

    /// <summary>Snapshots every process below <paramref name="rootPid"/> (children, grandchildren, ...).</summary>
    public static ProcessTree Snapshot(int rootPid)
    {
        var found = new List<(int, long)>();
        if (!OperatingSystem.IsLinux())
        {
            return new ProcessTree(found);
        }

        var children = new Dictionary<int, List<(int Pid, long StartTime)>>();
        foreach (var dir in SafeEnumerateProc())
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            if (TryReadStat(pid, out var parent, out var start))
            {
                if (!children.TryGetValue(parent, out var list))
                {
                    children[parent] = list = [];
                }
                list.Add((pid, start));
            }
        }

        var pending = new Queue<int>();
        pending.Enqueue(rootPid);
        var seen = new HashSet<int> { rootPid };
        while (pending.Count > 0)
        {
            if (!children.TryGetValue(pending.Dequeue(), out var list))
            {
                continue;
            }
            foreach (var child in list)
            {
                if (seen.Add(child.Pid))
                {
                    found.Add(child);
                    pending.Enqueue(child.Pid);
                }
            }
        }
        return new ProcessTree(found);
    }

    /// <summary>SIGKILLs every snapshotted descendant that still runs (same pid and start time).</summary>
    public int KillSurvivors()
    {
        var killed = 0;
        foreach (var (pid, start) in _descendants)
        {
            if (TryReadStat(pid, out _, out var currentStart) && currentStart == start && Signals.Send(pid, Signals.SigKill))
            {
                killed++;
            }
        }
        return killed;
    }

    private static IEnumerable<string> SafeEnumerateProc()
    {
        try
        {
            return Directory.GetDirectories("/proc");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Reads the parent pid (field 4) and start time (field 22) from <c>/proc/PID/stat</c>.</summary>
    internal static bool TryReadStat(int pid, out int parentPid, out long startTime)
    {
        parentPid = 0;
        startTime = 0;
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        // "pid (comm) state ppid ..." — comm may contain spaces and parentheses, so split after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return false;
        }
        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state), so field N is fields[N - 3].
        if (fields.Length < 20 || fields[0] == "Z" || fields[0] == "X")
        {
            return false; // zombies and dead tasks cannot be killed any further
        }
        return int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out parentPid)
            && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out startTime);
    }
}

using Kairos.Model;
using Kairos.Storage;

namespace Kairos.Engine.Triggers.Files;

/// <summary>
/// The loop rule: when the runs of a job were executing, so a file change can be attributed to
/// one of them. A run's window is [started_at, finished_at]; a run still running has no end yet;
/// an attempt waiting for its retry counts until the retry is due. A change belongs to a run when
/// the file's mtime falls in the window, or when the OS notification about it arrived within the
/// window or up to <see cref="NotificationGrace"/> after it (deletions and renames keep no
/// mtime of their own, and their notification lands just after a run that ends with them).
/// Only the job's latest <see cref="RecentRuns"/> runs and its running ones are considered.
/// </summary>
internal sealed class RunWindows
{
    public const int RecentRuns = 500;
    public static readonly TimeSpan NotificationGrace = TimeSpan.FromSeconds(1);

    private readonly List<(long RunId, DateTimeOffset From, DateTimeOffset To)> _windows;

    private RunWindows(List<(long, DateTimeOffset, DateTimeOffset)> windows) => _windows = windows;

    public static async Task<RunWindows> LoadAsync(IKairosStore store, string jobName, CancellationToken cancellationToken)
    {
        var recent = await store.ListRunsAsync(new RunQuery { JobName = jobName, Limit = RecentRuns }, cancellationToken).ConfigureAwait(false);
        var running = await store.ListRunsAsync(new RunQuery { JobName = jobName, State = RunState.Running, Limit = 10_000 }, cancellationToken).ConfigureAwait(false);
        var windows = new List<(long, DateTimeOffset, DateTimeOffset)>();
        foreach (var run in recent.Concat(running).DistinctBy(r => r.Id))
        {
            if (run.StartedAt is not { } from)
            {
                continue;
            }
            var to = run.State switch
            {
                RunState.Running => DateTimeOffset.MaxValue,
                RunState.Queued => run.DueAt, // An attempt that failed and waits for its retry.
                _ => run.FinishedAt ?? from,
            };
            windows.Add((run.Id, from, to));
        }
        return new RunWindows(windows);
    }

    /// <summary>The run a change is attributed to, if any.</summary>
    public long? Attribute(DateTimeOffset? mtime, DateTimeOffset? notifiedAt)
    {
        foreach (var (runId, from, to) in _windows)
        {
            if (mtime is { } m && m >= from && m <= to)
            {
                return runId;
            }
            if (notifiedAt is { } n && n >= from && (to == DateTimeOffset.MaxValue || n <= to + NotificationGrace))
            {
                return runId;
            }
        }
        return null;
    }
}

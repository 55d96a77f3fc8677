using System.Globalization;
using Kairos.Configuration;
using Kairos.Engine.Services;
using Kairos.Model;
using Kairos.Storage;
using Microsoft.Extensions.Logging;

namespace Kairos.Engine.Lifecycle;

/// <summary>
/// Cancels runs past their job's <see cref="RunTimeouts"/>: a run still waiting for its first attempt
/// <c>start</c> after it was due, and any queued or running run <c>finish</c> after it was enqueued. A
/// leader service: the cancel goes through <see cref="RunControl"/> as a person's would (a queued run
/// ends at once and says why in its journal; a running one is asked to stop and its node stops it at
/// once if it is this one, else at its next heartbeat), so a cancel that races with the run's end is
/// harmless, and two leaders for a moment cancel a run once.
/// <para>
/// It sleeps until the earliest deadline it knows, and at most the shortest timeout of any job (a run
/// enqueued after a pass is due no sooner than that), so it never looks while there is nothing to do
/// and a job without timeouts costs nothing. It reads the queued and running runs of the jobs that
/// have timeouts only, newest first, page by page.
/// </para>
/// </summary>
internal sealed class RunDeadlines(IKairosStore store, Func<CancellationToken, Task> stopCancelledRuns, TimeProvider time, ILogger logger)
    : EngineLoop("RunDeadlines", time, logger), ILeaderService
{
    private const int Page = 1000;

    /// <summary>Without any job with timeouts, jobs are looked at again this often (a saved job wakes it sooner).</summary>
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(1);

    protected override async ValueTask<DateTimeOffset?> RunPassAsync(CancellationToken leading)
    {
        var now = Time.GetUtcNow();
        var next = now + Idle;
        var stopRequested = false;
        foreach (var job in (await store.ListJobsAsync(leading).ConfigureAwait(false)).Select(j => j.Definition))
        {
            if (job.Timeouts is not { } timeouts || (timeouts.Start is null && timeouts.Finish is null))
            {
                continue;
            }
            var shortest = new[] { timeouts.Start, timeouts.Finish }.OfType<TimeSpan>().Min();
            next = Min(next, now + shortest);
            foreach (var state in new[] { RunState.Queued, RunState.Running })
            {
                long? before = null;
                while (true)
                {
                    var runs = await store.ListRunsAsync(new RunQuery { JobName = job.Name, State = state, BeforeId = before, Limit = Page }, leading).ConfigureAwait(false);
                    foreach (var run in runs)
                    {
                        if (run.CancelRequested)
                        {
                            continue; // Asked to stop already: its node stops it, or the rescuer when the lease runs out.
                        }
                        if (Overdue(run, timeouts, now) is { } reason)
                        {
                            stopRequested |= await store.CancelRunAsync(run.Id, now, leading, reason).ConfigureAwait(false) == CancelResult.CancelRequested;
                        }
                        else if (Deadline(run, timeouts) is { } deadline)
                        {
                            next = Min(next, deadline);
                        }
                    }
                    if (runs.Count < Page)
                    {
                        break;
                    }
                    before = runs[^1].Id;
                }
            }
        }
        if (stopRequested)
        {
            await stopCancelledRuns(leading).ConfigureAwait(false);
        }
        return next;
    }

    /// <summary>Why the run is past a limit at <paramref name="now"/>; null when it is not.</summary>
    internal static string? Overdue(RunRecord run, RunTimeouts timeouts, DateTimeOffset now)
    {
        if (timeouts.Finish is { } finish && now >= run.CreatedAt + finish)
        {
            return $"not finished {Durations.Format(finish)} after it was enqueued (timeouts.finish)";
        }
        if (timeouts.Start is { } start && run.State == RunState.Queued && run.StartedAt is null && now >= Plus(run.DueAt, start))
        {
            return $"still queued {Durations.Format(start)} after it was due (timeouts.start)";
        }
        return null;
    }

    private static DateTimeOffset? Deadline(RunRecord run, RunTimeouts timeouts)
    {
        DateTimeOffset? deadline = timeouts.Finish is { } finish ? run.CreatedAt + finish : null;
        if (timeouts.Start is { } start && run.State == RunState.Queued && run.StartedAt is null)
        {
            deadline = deadline is { } d ? Min(d, Plus(run.DueAt, start)) : Plus(run.DueAt, start);
        }
        return deadline;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary><paramref name="at"/> + <paramref name="limit"/>, at most the last instant: a run waiting for a buffered trigger is due 9999-12-31.</summary>
    private static DateTimeOffset Plus(DateTimeOffset at, TimeSpan limit) => at > DateTimeOffset.MaxValue - limit ? DateTimeOffset.MaxValue : at + limit;
}

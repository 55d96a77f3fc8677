using System.Text.Json;
using Kairos.Engine.Retries;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Engine.Lifecycle;

/// <summary>
/// Runs whose attempt stopped without an outcome: rescued when their lease expired (the node
/// running them crashed, was killed or lost the database for longer than a lease) and released
/// when their node shut down. <see cref="RetryDecision.RequeueAfterInterruption"/> decides between
/// queued again at once and dead; a dead run publishes run.failed.
/// </summary>
internal static class InterruptedRuns
{
    public const string LeaseExpired = "lease expired: the node running it stopped heartbeating";

    /// <summary>Rescues every running run whose lease expired before <paramref name="now"/>; returns how many.</summary>
    public static async ValueTask<int> RescueExpiredAsync(IDriverTransaction tx, DateTimeOffset now)
    {
        var expired = await tx.ListExpiredRunsAsync(now).ConfigureAwait(false);
        foreach (var run in expired)
        {
            await InterruptAsync(tx, run, now, "run.rescued", LeaseExpired).ConfigureAwait(false);
        }
        return expired.Count;
    }

    /// <summary>Hands back the runs <paramref name="owner"/> still holds (e.g. at shutdown); runs it no longer holds are left alone.</summary>
    public static async ValueTask<int> ReleaseAsync(IDriverTransaction tx, string owner, IReadOnlyCollection<long> runIds, string reason, DateTimeOffset now)
    {
        var released = 0;
        foreach (var id in runIds)
        {
            if (await tx.GetRunningRunAsync(id, owner).ConfigureAwait(false) is { } run)
            {
                await InterruptAsync(tx, run, now, "run.released", reason).ConfigureAwait(false);
                released++;
            }
        }
        return released;
    }

    /// <summary>
    /// Gives back runs <paramref name="owner"/> claimed ahead of their due time and never began (at
    /// shutdown): queued as before the claim, the attempt not spent. Runs it no longer holds are left alone.
    /// </summary>
    public static async ValueTask<int> UnclaimAsync(IDriverTransaction tx, string owner, IReadOnlyCollection<long> runIds, string reason, DateTimeOffset now)
    {
        var unclaimed = 0;
        foreach (var id in runIds)
        {
            if (await tx.GetRunningRunAsync(id, owner).ConfigureAwait(false) is { } run)
            {
                await tx.UnclaimRunAsync(id).ConfigureAwait(false);
                await tx.AppendJournalAsync(now, "run.unclaimed", run.JobName, run.Id, run.TriggerId,
                    JsonSerializer.Serialize(new { reason }, KairosJson.Options)).ConfigureAwait(false);
                unclaimed++;
            }
        }
        return unclaimed;
    }

    private static async ValueTask InterruptAsync(IDriverTransaction tx, RunSummary run, DateTimeOffset now, string kind, string reason)
    {
        var requeue = RetryDecision.RequeueAfterInterruption(run.Attempt, run.MaxAttempts);
        if (requeue)
        {
            await tx.RequeueRunAsync(run.Id, now, reason).ConfigureAwait(false);
        }
        else
        {
            await tx.FinishRunAsync(run.Id, RunState.Dead, reason, now).ConfigureAwait(false);
        }
        var state = requeue ? RunState.Queued : RunState.Dead;
        await tx.AppendJournalAsync(now, kind, run.JobName, run.Id, run.TriggerId,
            JsonSerializer.Serialize(new { attempt = run.Attempt, reason, state = state.ToWire() }, KairosJson.Options)).ConfigureAwait(false);
        if (!requeue)
        {
            await RunEnded.AfterAsync(tx, run.Id, run.JobName, run.TriggerId, RunState.Dead, now).ConfigureAwait(false);
        }
    }
}

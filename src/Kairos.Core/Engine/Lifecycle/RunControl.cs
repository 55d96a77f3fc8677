using System.Text.Json;
using Kairos.Events.Routing;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Drivers;

namespace Kairos.Engine.Lifecycle;

/// <summary>What a person (API, CLI, library) does to one run: cancel it, or retry it once it has finished.</summary>
internal static class RunControl
{
    /// <summary>
    /// A queued run is cancelled at once (and publishes run.cancelled); a running one is flagged, and
    /// the node running it stops it at its next heartbeat or when it hears of the flag; a workflow's
    /// waiting run is cancelled with the steps it has going.
    /// </summary>
    public static async ValueTask<CancelResult> CancelAsync(IDriverTransaction tx, long runId, DateTimeOffset now, string? reason = null)
    {
        var (result, run) = await CancelOneAsync(tx, runId, now, reason).ConfigureAwait(false);
        // A workflow's run released its trigger's waiting run as it ended.
        if (result == CancelResult.Cancelled && run!.State == RunState.Queued && run.TriggerId is { } triggerId)
        {
            await Scheduling.TriggerOverlaps.AfterRunEndedAsync(tx, run.JobName, triggerId, runId, now).ConfigureAwait(false);
        }
        return result;
    }

    /// <summary>
    /// Cancels one run as <see cref="CancelAsync"/> does, with the <paramref name="reason"/> a rule
    /// gives (journaled), and nothing more: runs waiting for it are the caller's business.
    /// </summary>
    public static async ValueTask<(CancelResult Result, RunSummary? Run)> CancelOneAsync(IDriverTransaction tx, long runId, DateTimeOffset now, string? reason)
    {
        var run = await tx.GetRunSummaryAsync(runId).ConfigureAwait(false);
        switch (run?.State)
        {
            case null:
                return (CancelResult.NotFound, null);
            case RunState.Queued:
                await tx.FinishRunAsync(runId, RunState.Cancelled, reason ?? "cancelled before it started", now).ConfigureAwait(false);
                await tx.AppendJournalAsync(now, "run.cancelled", run.JobName, runId, run.TriggerId,
                    JsonSerializer.Serialize(new { @while = "queued", reason }, KairosJson.Options)).ConfigureAwait(false);
                await EventRouter.PublishRunFinishedAsync(tx, runId, now).ConfigureAwait(false);
                await RunNotifications.AfterEndAsync(tx, run.JobName, runId, now).ConfigureAwait(false);
                await RunEnded.WorkflowStepAsync(tx, runId, now).ConfigureAwait(false);
                return (CancelResult.Cancelled, run);
            case RunState.Waiting:
                // A workflow's run: its steps still going are cancelled with it.
                return (await Workflows.WorkflowRuns.CancelAsync(tx, runId, reason ?? "cancelled on request", now).ConfigureAwait(false)
                    ? CancelResult.Cancelled : CancelResult.AlreadyFinished, run);
            case RunState.Running:
                await tx.RequestCancelAsync(runId).ConfigureAwait(false);
                await tx.AppendJournalAsync(now, "run.cancel-requested", run.JobName, runId, run.TriggerId,
                    reason is null ? null : JsonSerializer.Serialize(new { reason }, KairosJson.Options)).ConfigureAwait(false);
                return (CancelResult.CancelRequested, run);
            default:
                return (CancelResult.AlreadyFinished, run);
        }
    }

    /// <summary>Queues a finished run again with <paramref name="attempts"/> more attempts (<see cref="Retries.RetryDecision.AttemptsForManualRetry"/>); null when there is no such run.</summary>
    public static async ValueTask<RunRecord?> RetryAsync(IDriverTransaction tx, long runId, int attempts, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        if (await tx.GetRunSummaryAsync(runId).ConfigureAwait(false) is not { } run)
        {
            return null;
        }
        if (!run.State.IsFinished())
        {
            throw new KairosConflictException($"run {runId} is {run.State.ToWire()}; only a finished run (dead, cancelled, succeeded, skipped) can be retried");
        }
        var retried = await tx.ReopenRunAsync(runId, now, run.Attempt + attempts).ConfigureAwait(false);
        await tx.AppendJournalAsync(now, "run.retried", run.JobName, runId, run.TriggerId,
            JsonSerializer.Serialize(new { from = run.State.ToWire() }, KairosJson.Options)).ConfigureAwait(false);
        return retried;
    }
}

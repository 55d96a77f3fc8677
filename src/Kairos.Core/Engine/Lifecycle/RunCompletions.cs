using System.Globalization;
using System.Text.Json;
using Kairos.Events.Routing;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Drivers;

namespace Kairos.Engine.Lifecycle;

/// <summary>
/// Storing an attempt's outcome: succeeded, cancelled, failed and queued again at its retry time
/// (decided by <see cref="Retries.RetryDecision"/> before it gets here), or dead. Only the node that
/// still holds the run's lease can store it; a run rescued meanwhile belongs to whoever rescued it.
/// The outcome, its journal entries (a dead run gets run.failed then run.dead), the attempt's log
/// and, for a finished run, its run.* event commit together.
/// </summary>
internal static class RunCompletions
{
    /// <summary>The state an outcome leaves the run in, and the journal entry that says so.</summary>
    public static (RunState State, string Kind) StateOf(RunCompletion completion) => completion.Outcome switch
    {
        RunOutcome.Succeeded => (RunState.Succeeded, "run.succeeded"),
        RunOutcome.Cancelled => (RunState.Cancelled, "run.cancelled"),
        RunOutcome.Waiting => (RunState.Waiting, "run.waiting"),
        _ when completion.RetryAt is not null => (RunState.Queued, "run.failed"),
        _ => (RunState.Dead, "run.dead"),
    };

    /// <summary>Stores one outcome; false when the owner no longer holds the run.</summary>
    public static async ValueTask<bool> CompleteAsync(IDriverTransaction tx, RunCompletion completion) =>
        (await CompleteManyAsync(tx, [completion]).ConfigureAwait(false))[0];

    /// <summary>Stores many outcomes in the caller's transaction (a group commit); each result says whether its owner still held the run.</summary>
    public static async ValueTask<IReadOnlyList<bool>> CompleteManyAsync(IDriverTransaction tx, IReadOnlyList<RunCompletion> completions)
    {
        var states = completions.Select(c => StateOf(c).State).ToList();
        await Workflows.WorkflowLocks.BeforeOutcomesAsync(tx, completions).ConfigureAwait(false);
        var ended = await tx.CompleteRunsAsync(completions, states).ConfigureAwait(false);
        var journal = new List<JournalWrite>(completions.Count + 1);
        var logs = new List<(long RunId, RunLogLine Line)>();
        var finished = new List<RunCompletion>();
        Dictionary<string, DateTimeOffset>? deadIn = null; // Jobs with a dead run here: rare, so made only when needed.
        List<(string Job, long Trigger, long Run, DateTimeOffset At)>? ends = null; // Runs that may release a waiting run of their trigger.
        List<(RunCompletion Completion, RunState State, CompletedRun Row)>? notifying = null; // Outcomes of jobs with notifications: rare.
        List<(RunCompletion Completion, RunState State)>? workflows = null; // Workflows starting, and their steps ending.
        for (var i = 0; i < completions.Count; i++)
        {
            if (ended[i] is not { } row)
            {
                continue; // Its lease was lost: whoever rescued it owns the outcome.
            }
            var completion = completions[i];
            var (state, kind) = StateOf(completion);
            var note = Note(completion, row);
            if (state == RunState.Dead)
            {
                (deadIn ??= new(StringComparer.Ordinal))[row.JobName] = completion.FinishedAt;
                journal.Add(new JournalWrite(completion.FinishedAt, "run.failed", row.JobName, completion.RunId, row.TriggerId, note));
            }
            journal.Add(new JournalWrite(completion.FinishedAt, kind, row.JobName, completion.RunId, row.TriggerId, note));
            logs.AddRange(completion.Log.Select(line => (completion.RunId, line)));
            if (completion.Notify.Count > 0 && completion.Run is not null)
            {
                (notifying ??= []).Add((completion, state, row));
            }
            if (state == RunState.Waiting || (completion.WorkflowRunId is not null && state != RunState.Queued))
            {
                (workflows ??= []).Add((completion, state));
            }
            if (state is not (RunState.Queued or RunState.Waiting))
            {
                finished.Add(completion);
                if (completion.MayReleaseWaitingRun && row.TriggerId is { } triggerId)
                {
                    (ends ??= []).Add((row.JobName, triggerId, completion.RunId, completion.FinishedAt));
                }
            }
        }
        await tx.AppendJournalAsync(journal).ConfigureAwait(false);
        // In name order, so two nodes pausing the same jobs or releasing their waiting runs lock their rows in the same order.
        if (deadIn is not null || ends is not null)
        {
            foreach (var job in ((IEnumerable<string>?)deadIn?.Keys ?? []).Union(ends?.Select(e => e.Job) ?? [], StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                if (deadIn?.TryGetValue(job, out var at) == true)
                {
                    await FailurePause.AfterDeadRunAsync(tx, job, at).ConfigureAwait(false);
                }
                foreach (var end in ends?.Where(e => e.Job == job) ?? [])
                {
                    await Scheduling.TriggerOverlaps.AfterRunEndedAsync(tx, end.Job, end.Trigger, end.Run, end.At).ConfigureAwait(false);
                }
            }
        }
        if (logs.Count > 0)
        {
            await tx.AppendRunLogsAsync(logs).ConfigureAwait(false);
        }
        if (finished.Count > 0 && await tx.ListActiveSubscriptionsAsync().ConfigureAwait(false) is { Count: > 0 } subscriptions)
        {
            foreach (var completion in finished)
            {
                await EventRouter.PublishRunFinishedAsync(tx, completion.RunId, completion.FinishedAt, subscriptions).ConfigureAwait(false);
            }
        }
        foreach (var (completion, state, row) in notifying ?? [])
        {
            var run = completion.Run! with
            {
                State = state,
                Attempt = row.Attempt,
                Output = completion.Output,
                Error = completion.Error,
                FinishedAt = state == RunState.Queued ? null : completion.FinishedAt,
            };
            await RunNotifications.SendAsync(tx, completion.Notify, run, completion.FinishedAt).ConfigureAwait(false);
        }
        // In workflow order, as their rows were locked (WorkflowLocks); a batch without workflows sorts nothing.
        workflows?.Sort(static (a, b) => (WorkflowOf(a.Completion), a.Completion.RunId).CompareTo((WorkflowOf(b.Completion), b.Completion.RunId)));
        foreach (var (completion, state) in workflows ?? [])
        {
            if (state == RunState.Waiting)
            {
                await Workflows.WorkflowRuns.StartAsync(tx, completion.Run!, completion.Workflow!, completion.FinishedAt).ConfigureAwait(false);
            }
            else
            {
                await Workflows.WorkflowRuns.AfterRunEndedAsync(tx, completion.RunId, completion.WorkflowRunId!.Value, state, completion.Output, completion.Error, completion.FinishedAt).ConfigureAwait(false);
            }
        }
        return ended.Select(row => row is not null).ToList();
    }

    private static long WorkflowOf(RunCompletion completion) => completion.WorkflowRunId ?? completion.RunId;

    /// <summary>
    /// <c>{"attempt", "durationMs", "error", "retryAt"}</c>, nulls left out. Written by hand: this is
    /// on the path of every run, and only the error needs escaping.
    /// </summary>
    private static string Note(RunCompletion completion, CompletedRun row)
    {
        var note = new System.Text.StringBuilder("{\"attempt\":").Append(row.Attempt.ToString(CultureInfo.InvariantCulture));
        if (row.StartedAt is { } started)
        {
            note.Append(",\"durationMs\":").Append((completion.FinishedAt.ToUnixTimeMilliseconds() - started.ToUnixTimeMilliseconds()).ToString(CultureInfo.InvariantCulture));
        }
        if (completion.Error is { } error)
        {
            note.Append(",\"error\":").Append(JsonSerializer.Serialize(error, KairosJson.Options));
        }
        if (completion.RetryAt is { } retryAt)
        {
            note.Append(",\"retryAt\":").Append(JsonSerializer.Serialize(retryAt, KairosJson.Options));
        }
        return note.Append('}').ToString();
    }
}

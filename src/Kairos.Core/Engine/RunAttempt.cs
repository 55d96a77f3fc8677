using System.Globalization;
using Kairos.Executors;
using Kairos.Hosting;
using Kairos.Model;
using Kairos.Storage;
using Microsoft.Extensions.Logging;

namespace Kairos.Engine;

internal enum CancelReason
{
    None,
    Requested,
    LeaseLost,
    Shutdown,
}

/// <summary>
/// One attempt of one claimed run: resolve the job and its executor, execute with the job's timeout,
/// turn whatever happened into an outcome (exceptions included) and store it. Whether a failure is
/// retried, and when, is <see cref="Retries.RetryDecision"/>'s to say.
/// </summary>
internal sealed class RunAttempt(
    RunRecord run,
    IKairosStore store,
    JobCatalog jobs,
    IReadOnlyDictionary<string, IJobExecutor> executors,
    Secrets.SecretResolver secrets,
    KairosOptions options,
    TimeProvider time,
    Func<RunRecord, JobDefinition, Task> onFinished,
    Observability.RunTelemetry telemetry,
    ILogger logger)
{
    // Never disposed: the heartbeat may cancel an attempt that is just ending, and a source without
    // a timer holds nothing that needs disposing.
    private readonly CancellationTokenSource _cancel = new();
    private readonly RunLogBuffer _log = new(time);
    private Secrets.SecretMask _mask = Secrets.SecretMask.None;
    private static readonly IReadOnlyDictionary<string, string> NoSecrets = new Dictionary<string, string>();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _reason = (int)CancelReason.None;
    private volatile bool _finishing;
    private volatile bool _begun;
    private System.Diagnostics.Activity? _span;

    public RunRecord Run => run;

    /// <summary>The executor is done and the outcome is being stored: a lease lost now no longer matters here.</summary>
    public bool IsFinishing => _finishing;

    public Task Completion => _completion.Task;

    /// <summary>Whether the attempt has begun (it may have been claimed ahead and still wait for its due time).</summary>
    public bool HasBegun => _begun;

    /// <summary>Waits until the run is due (it was claimed ahead of its due time); ends early when the attempt is cancelled.</summary>
    public async Task WaitUntilDueAsync()
    {
        var wait = run.DueAt - time.GetUtcNow();
        if (wait <= TimeSpan.Zero)
        {
            return;
        }
        try
        {
            await Task.Delay(wait, time, _cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Cancelled before it began: RunAsync stores that (or, at shutdown, the run is given back).
        }
    }

    public void Cancel(CancelReason reason)
    {
        Interlocked.CompareExchange(ref _reason, (int)reason, (int)CancelReason.None);
        _cancel.Cancel();
    }

    public async Task FlushLogAsync(CancellationToken cancellationToken)
    {
        var lines = _log.Drain();
        if (lines.Count > 0)
        {
            await store.AppendRunLogAsync(run.Id, lines, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs the attempt; its executor runs inside a worker slot, taken by <paramref name="ticket"/>.</summary>
    public async Task RunAsync(WorkerSlots.Ticket ticket)
    {
        _begun = true;
        using var span = _span = telemetry.Started(run);
        try
        {
            await RunCoreAsync(ticket).ConfigureAwait(false);
        }
        finally
        {
            ticket.Leave(); // Ended before its executor ran (or the executor threw past it).
            // _cancel is not disposed: Cancel may race with the end of the attempt (shutdown, heartbeat),
            // and a CancellationTokenSource without a timer holds nothing that needs disposing.
            _completion.TrySetResult();
        }
    }

    private async Task RunCoreAsync(WorkerSlots.Ticket ticket)
    {
        var stored = await jobs.GetAsync(run.JobName, run.JobVersion, CancellationToken.None).ConfigureAwait(false);
        if (stored is null)
        {
            await FinishAsync(null, ExecutionResult.Failure($"job '{run.JobName}' no longer exists", retryable: false), timedOut: false).ConfigureAwait(false);
            return;
        }
        var job = stored.Definition;
        var templates = Executors.TemplateRoot.Payload;
        if (run.JobName == JobRules.NotificationJob)
        {
            // A notification's delivery: the request comes with the run, and its templates read the notified run.
            if (Lifecycle.NotificationDelivery.Request(run) is not { } request)
            {
                await FinishAsync(job, ExecutionResult.Failure("the delivery's payload holds no notification request", retryable: false), timedOut: false).ConfigureAwait(false);
                return;
            }
            job = job with { Executor = request };
            templates = Executors.TemplateRoot.Run;
        }
        else if (Workflows.WorkflowStepJob.Is(run.JobName))
        {
            // An inline step of a workflow: the step says what runs.
            var (stepJob, ready) = await Workflows.WorkflowStepRuns.ResolveAsync(store, run, job, CancellationToken.None).ConfigureAwait(false);
            if (ready is not null)
            {
                await FinishAsync(job, ready, timedOut: false).ConfigureAwait(false);
                return;
            }
            job = stepJob!;
        }
        if (!executors.TryGetValue(run.ExecutorKind, out var executor))
        {
            await FinishAsync(job, ExecutionResult.Failure($"no executor of kind '{run.ExecutorKind}' is registered", retryable: false), timedOut: false).ConfigureAwait(false);
            return;
        }

        // The job's timeout counts from here: a run claimed ahead may have waited for a slot.
        try
        {
            await ticket.EnterAsync(_cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await FinishAsync(job, ExecutionResult.Failure("the run was stopped"), timedOut: false).ConfigureAwait(false);
            return;
        }
        // Without a timeout the attempt's own token is enough: no timer, no linked source per run.
        using var timeout = job.Timeout is { } limit ? new CancellationTokenSource(limit, time) : null;
        using var linked = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(_cancel.Token, timeout.Token);
        var token = linked?.Token ?? _cancel.Token;
        IReadOnlyDictionary<string, string> secretValues = NoSecrets;
        if (Secrets.SecretReferences.In(job.Executor) is { Count: > 0 } named)
        {
            try
            {
                secretValues = await secrets.ResolveAsync(named, token).ConfigureAwait(false);
            }
            catch (KairosException ex)
            {
                await FinishAsync(job, ExecutionResult.Failure(ex.Message, retryable: false), timedOut: false).ConfigureAwait(false);
                return;
            }
            // From here on, a secret the job was given is masked wherever the run's words are kept.
            _mask = new Secrets.SecretMask(secretValues.Values);
            _log.Mask = _mask;
        }
        ExecutionResult result;
        try
        {
            result = await executor.ExecuteAsync(new Executors.ExecutionContext { Run = run, Job = job, Log = _log, Secrets = secretValues, Templates = templates }, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            result = ExecutionResult.Failure("the run was stopped");
        }
        catch (Exception ex)
        {
            _log.Write("error", ex.ToString());
            result = ExecutionResult.Failure($"{ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            ticket.Leave();
        }
        await FinishAsync(job, result, timeout is { IsCancellationRequested: true } && !_cancel.IsCancellationRequested).ConfigureAwait(false);
    }

    private async Task FinishAsync(JobDefinition? job, ExecutionResult result, bool timedOut)
    {
        _finishing = true;
        var reason = (CancelReason)Volatile.Read(ref _reason);
        if (reason is CancelReason.Shutdown or CancelReason.LeaseLost)
        {
            return; // Shutdown hands the run back to the queue; a lost lease means another node owns it.
        }
        var now = time.GetUtcNow();
        RunCompletion completion;
        if (reason == CancelReason.Requested)
        {
            completion = new RunCompletion(run.Id, options.NodeId, RunOutcome.Cancelled, now) { Error = "cancelled on request", Output = result.Output };
        }
        else if (result.Succeeded && !timedOut && result.Waits && job?.Executor is WorkflowExecutorSpec workflow)
        {
            completion = new RunCompletion(run.Id, options.NodeId, RunOutcome.Waiting, now) { Workflow = workflow };
        }
        else if (result.Succeeded && !timedOut)
        {
            completion = new RunCompletion(run.Id, options.NodeId, RunOutcome.Succeeded, now) { Output = result.Output };
        }
        else
        {
            var error = timedOut
                ? string.Create(CultureInfo.InvariantCulture, $"timed out after {job!.Timeout!.Value.TotalSeconds:0.###} s")
                : result.Error ?? "failed";
            var retryAt = Retries.RetryDecision.AfterFailure(run.Attempt, run.MaxAttempts, job?.Retry, timedOut || result.Retryable, result.RetryAfter, now, Random.Shared);
            completion = new RunCompletion(run.Id, options.NodeId, RunOutcome.Failed, now) { Error = error, Output = result.Output, RetryAt = retryAt };
        }
        completion = completion with
        {
            Log = _log.Drain(),
            Output = _mask.Apply(completion.Output),
            Error = _mask.Apply(completion.Error),
            MayReleaseWaitingRun = run.TriggerId is not null && job is not null && job.Triggers.Any(t => Scheduling.TriggerOverlaps.MayWait(t.Overlap)),
            Notify = job?.Notify ?? [],
            Run = job?.Notify.Count > 0 || completion.Workflow is not null ? run : null,
            WorkflowRunId = run.Source == TriggerSources.Workflow ? run.ParentRunId : null,
        };
        var stored = await store.CompleteAsync(completion, CancellationToken.None).ConfigureAwait(false);
        if (!stored)
        {
            logger.LogWarning("Run {RunId} finished but its lease had expired; the outcome was not recorded", run.Id);
            return;
        }
        telemetry.Finished(run, _span, Lifecycle.RunCompletions.StateOf(completion).State, completion.FinishedAt);
        if (job is not null && completion.RetryAt is null && completion.Outcome != RunOutcome.Waiting)
        {
            await onFinished(run, job).ConfigureAwait(false);
        }
    }
}

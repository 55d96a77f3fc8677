using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Kairos.Configuration;
using Kairos.Engine;
using Kairos.Model;
using Kairos.Storage;
using Microsoft.Extensions.Logging;

namespace Kairos.Polling;

/// <summary>
/// Polls every stored poll trigger on the engine's clock, one loop per trigger. Invariants:
/// <list type="bullet">
/// <item>A trigger's next poll is due at its last poll time + interval (× backoff after failures),
/// both read from the store (poll_state), so a restart neither polls at once nor forgets a backoff.
/// A trigger never polled is polled at once.</item>
/// <item>A poll that throws or outlasts the trigger's timeout is a failure: journaled
/// (<c>poll.failed</c>), counted, the state it set discarded; polling goes on, backing off
/// (see <see cref="PollBackoff"/>). A success resets the count.</item>
/// <item>Each fire enqueues one run (source <c>poll</c>, payload <c>{context, polledAt, trigger, data}</c>)
/// in the transaction that stores the trigger's state. Without allow-concurrent the run carries a hash of
/// its context as de-duplication key: the store drops it while a run of the trigger with that key is queued or running.</item>
/// <item>A paused (or deleted) job's triggers do not poll: nothing is polled, enqueued or stored
/// while it is paused, and polling resumes within one interval of its resumption, from the stored state.</item>
/// </list>
/// </summary>
internal sealed class PollTriggerHost(
    IKairosStore store,
    JobCatalog jobs,
    PollerResolver pollers,
    TimeProvider time,
    Action wakeDispatcher,
    ILogger logger) : ITriggerHost
{
    private readonly WakeSignal _changed = new();
    private readonly ConcurrentDictionary<long, DateTimeOffset> _nextPollAt = new();
    private readonly ConcurrentDictionary<long, DateTimeOffset> _lastRecordedPoll = new();

    public void TriggersChanged() => _changed.Set();

    /// <summary>When the trigger's loop next polls, published once it waits for that time (tests wait for it before moving the clock).</summary>
    internal DateTimeOffset? NextPollAt(long triggerId) => _nextPollAt.TryGetValue(triggerId, out var at) ? at : null;

    /// <summary>When the last poll this host recorded in full (all its runs enqueued) started.</summary>
    internal DateTimeOffset? LastRecordedPoll(long triggerId) => _lastRecordedPoll.TryGetValue(triggerId, out var at) ? at : null;

    public async Task RunAsync(CancellationToken stopping)
    {
        var loops = new Dictionary<long, TriggerLoop>();
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                TimeSpan? retry = null;
                try
                {
                    await ReconcileAsync(loops, stopping).ConfigureAwait(false);
                }
                catch (Exception ex) when (!stopping.IsCancellationRequested)
                {
                    logger.LogError(ex, "Poll triggers could not be read; retrying in 5 s");
                    retry = TimeSpan.FromSeconds(5);
                }
                await _changed.WaitAsync(retry, time, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var loop in loops.Values)
            {
                await loop.Stop.CancelAsync().ConfigureAwait(false);
            }
            await Task.WhenAll(loops.Values.Select(l => l.Task)).ConfigureAwait(false);
            foreach (var loop in loops.Values)
            {
                loop.Stop.Dispose();
            }
        }
    }

    /// <summary>Starts a loop for each new poll trigger and stops the loops of triggers that are gone.</summary>
    private async Task ReconcileAsync(Dictionary<long, TriggerLoop> loops, CancellationToken stopping)
    {
        var triggers = (await store.ListTriggersAsync(null, stopping).ConfigureAwait(false))
            .Where(t => t.Spec is PollTriggerSpec)
            .ToDictionary(t => t.Id);
        foreach (var (id, loop) in loops.ToList())
        {
            if (!triggers.TryGetValue(id, out var trigger) || trigger.Key != loop.Trigger.Key || trigger.JobName != loop.Trigger.JobName)
            {
                loops.Remove(id);
                await loop.Stop.CancelAsync().ConfigureAwait(false);
                await loop.Task.ConfigureAwait(false);
                loop.Stop.Dispose();
            }
        }
        foreach (var trigger in triggers.Values.Where(t => !loops.ContainsKey(t.Id)))
        {
            var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            var task = Task.Run(() => PollLoopAsync(trigger, (PollTriggerSpec)trigger.Spec, stop.Token), CancellationToken.None);
            loops[trigger.Id] = new TriggerLoop(trigger, stop, task);
        }
    }

    private async Task PollLoopAsync(TriggerState trigger, PollTriggerSpec spec, CancellationToken stop)
    {
        try
        {
            PollState? state = null;
            DateTimeOffset? notBefore = null; // Set while the job is paused and after a store error.
            while (true)
            {
                var interval = pollers.Interval(spec);
                try
                {
                    state ??= await store.GetPollStateAsync(trigger.Id, stop).ConfigureAwait(false) ?? new PollState(null, 0, null);
                    var now = time.GetUtcNow();
                    var due = state.LastPollAt is { } last ? last + PollBackoff.Delay(interval, state.Failures) : now;
                    if (notBefore > due)
                    {
                        due = notBefore.Value;
                    }
                    var delay = due > now ? Task.Delay(due - now, time, stop) : Task.CompletedTask;
                    _nextPollAt[trigger.Id] = due;
                    await delay.ConfigureAwait(false);

                    var job = await jobs.GetAsync(trigger.JobName, 0, stop).ConfigureAwait(false);
                    if (job is null || job.Definition.Paused)
                    {
                        notBefore = time.GetUtcNow() + interval;
                        continue;
                    }
                    notBefore = null;
                    state = await PollOnceAsync(trigger, spec, state, interval, stop).ConfigureAwait(false);
                    _lastRecordedPoll[trigger.Id] = state.LastPollAt!.Value;
                }
                catch (Exception ex) when (!stop.IsCancellationRequested)
                {
                    logger.LogError(ex, "Poll trigger {Trigger} of job {Job} could not record its poll; trying again in {Interval}",
                        trigger.Key, trigger.JobName, Durations.Format(interval));
                    state = null; // Read it again: the store knows what was committed.
                    notBefore = time.GetUtcNow() + interval;
                }
            }
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            // Stopped (trigger gone or engine stopping).
        }
        finally
        {
            _nextPollAt.TryRemove(trigger.Id, out _);
            _lastRecordedPoll.TryRemove(trigger.Id, out _);
        }
    }

    /// <summary>Polls once and records the outcome; returns the state now stored.</summary>
    private async Task<PollState> PollOnceAsync(TriggerState trigger, PollTriggerSpec spec, PollState state, TimeSpan interval, CancellationToken stop)
    {
        var polledAt = time.GetUtcNow();
        var context = new PollContext(trigger.Id, trigger.Key, trigger.JobName, polledAt, state);
        var (result, allowConcurrent, failure) = await PollAsync(spec, context, stop).ConfigureAwait(false);
        var now = time.GetUtcNow();

        if (result is null)
        {
            var failed = new PollState(polledAt, state.Failures + 1, state.Data);
            logger.LogWarning("Poll trigger {Trigger} of job {Job} failed ({Failures} in a row; next poll in {Delay}): {Error}",
                trigger.Key, trigger.JobName, failed.Failures, Durations.Format(PollBackoff.Delay(interval, failed.Failures)), failure);
            await store.RecordPollAsync(trigger.Id, failed, null, failure, now, CancellationToken.None).ConfigureAwait(false);
            return failed;
        }

        var stored = new PollState(polledAt, 0, context.State);
        if (result.Fires.Count == 0)
        {
            await store.RecordPollAsync(trigger.Id, stored, null, null, now, CancellationToken.None).ConfigureAwait(false);
            return stored;
        }
        var created = 0;
        try
        {
            foreach (var fire in result.Fires)
            {
                // One transaction per fire: the state stored is exactly as far as the runs enqueued.
                stored = stored with { Data = fire.State ?? context.State };
                var run = Request(trigger, spec, fire.Context, polledAt, allowConcurrent);
                var enqueued = await store.RecordPollAsync(trigger.Id, stored, run, null, now, CancellationToken.None).ConfigureAwait(false);
                created += enqueued?.Created == true ? 1 : 0;
            }
        }
        finally
        {
            if (created > 0)
            {
                wakeDispatcher();
            }
        }
        return stored;
    }

    /// <summary>Runs the poller within the trigger's timeout. Returns the result, or null and why it failed.</summary>
    private async Task<(PollResult? Result, bool AllowConcurrent, string? Failure)> PollAsync(PollTriggerSpec spec, PollContext context, CancellationToken stop)
    {
        // The timeout's timer exists before the poller starts, so a poll that hangs is always cut off.
        using var timeout = new CancellationTokenSource(spec.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
        Task<PollResult>? poll = null;
        try
        {
            var poller = pollers.Resolve(spec);
            var allowConcurrent = spec.AllowConcurrent ?? poller.AllowConcurrent;
            poll = poller.PollAsync(context, linked.Token);
            // A poller that ignores its token is abandoned at the timeout, not waited for.
            var result = await poll.WaitAsync(linked.Token).ConfigureAwait(false);
            return result is null ? (null, allowConcurrent, "the poller returned no result") : (result, allowConcurrent, null);
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            throw new OperationCanceledException(stop); // Shutting down: not a failed poll.
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Observe(poll);
            return (null, false, $"the poll did not finish within its timeout of {Durations.Format(spec.Timeout)}");
        }
        catch (Exception ex)
        {
            return (null, false, ex is InvalidOperationException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private static RunRequest Request(TriggerState trigger, PollTriggerSpec spec, JsonNode? context, DateTimeOffset polledAt, bool allowConcurrent)
    {
        var payload = new JsonObject
        {
            ["context"] = context?.DeepClone(),
            ["polledAt"] = polledAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["trigger"] = trigger.Key,
        };
        if (spec.Payload is { } data)
        {
            payload["data"] = JsonNode.Parse(data);
        }
        return new RunRequest(trigger.JobName, TriggerSources.Poll)
        {
            Payload = payload.ToJsonString(KairosJson.Options),
            TriggerId = trigger.Id,
            DedupeKey = allowConcurrent ? null : ContextHash.Of(context),
        };
    }

    /// <summary>Keeps an abandoned poll's later failure from surfacing as an unobserved task exception.</summary>
    private static void Observe(Task? poll) =>
        poll?.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    private sealed record TriggerLoop(TriggerState Trigger, CancellationTokenSource Stop, Task Task);
}

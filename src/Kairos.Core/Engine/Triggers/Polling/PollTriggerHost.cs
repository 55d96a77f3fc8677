using Kairos.Engine;
using Kairos.Engine.Services;
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
    ILogger logger) : EngineLoop("Poll trigger host", time, logger), ITriggerHost, ILeaderService
{
    private readonly ServiceGroup<long, PollLoop> _loops = new();

    public void TriggersChanged() => Wake();

    /// <summary>When the trigger's loop next polls, published once it waits for that time (tests wait for it before moving the clock).</summary>
    internal DateTimeOffset? NextPollAt(long triggerId) => _loops.TryGet(triggerId, out var loop) ? loop.SleepingUntil : null;

    /// <summary>When the last poll this host recorded in full (all its runs enqueued) started.</summary>
    internal DateTimeOffset? LastRecordedPoll(long triggerId) => _loops.TryGet(triggerId, out var loop) ? loop.LastRecordedPoll : null;

    /// <summary>Starts a loop for each new poll trigger and stops the loops of triggers that are gone; then sleeps until jobs change.</summary>
    protected override async ValueTask<DateTimeOffset?> RunPassAsync(CancellationToken stopping)
    {
        var triggers = (await store.ListTriggersAsync(null, stopping).ConfigureAwait(false))
            .Where(t => t.Spec is PollTriggerSpec)
            .ToDictionary(t => t.Id);
        foreach (var loop in _loops.Loops.ToList())
        {
            var id = loop.Trigger.Id;
            if (!triggers.TryGetValue(id, out var trigger) || trigger.Key != loop.Trigger.Key || trigger.JobName != loop.Trigger.JobName)
            {
                await _loops.StopAsync(id).ConfigureAwait(false);
            }
        }
        foreach (var trigger in triggers.Values.Where(t => !_loops.TryGet(t.Id, out _)))
        {
            _loops.Start(trigger.Id, new PollLoop(trigger, (PollTriggerSpec)trigger.Spec, store, jobs, pollers, Time, wakeDispatcher, Logger), stopping);
        }
        return null;
    }

    protected override Task OnStoppedAsync() => _loops.StopAllAsync();
}

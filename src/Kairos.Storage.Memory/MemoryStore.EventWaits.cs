using Kairos.Events;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Storage.Memory;

/// <summary>The primitives of waitForEvent steps' waits (the rules are in src/Kairos.Core/Workflows/EventWaits.cs).</summary>
internal sealed partial class MemoryStore
{
    private sealed partial class Transaction
    {
        // Transactions are serial: a publish and a look-back never overlap.
        public ValueTask LockEventWaitsAsync(bool exclusive) => ValueTask.CompletedTask;

        public ValueTask InsertEventWaitAsync(EventWaitRow wait)
        {
            State = State with { EventWaits = State.EventWaits.Add(wait.RunId, wait with { Since = Stored(wait.Since), Deadline = Stored(wait.Deadline) }) };
            return ValueTask.CompletedTask;
        }

        public ValueTask<IReadOnlyList<EventWaitRow>> ListOpenEventWaitsAsync(string ns) =>
            ValueTask.FromResult<IReadOnlyList<EventWaitRow>>(State.EventWaits.Values.Where(w => w.Namespace == ns && w.EventId is null).ToList());

        public ValueTask<EventWaitRow?> GetEventWaitForUpdateAsync(long runId) => ValueTask.FromResult(State.EventWaits.GetValueOrDefault(runId));

        public ValueTask<bool> TakeEventAsync(long runId, long eventId, string? data)
        {
            if (State.EventWaits.GetValueOrDefault(runId) is not { EventId: null } wait)
            {
                return ValueTask.FromResult(false);
            }
            State = State with { EventWaits = State.EventWaits.SetItem(runId, wait with { EventId = eventId, Data = data }) };
            return ValueTask.FromResult(true);
        }

        public ValueTask MoveEventWaitAsync(long runId, long newRunId)
        {
            if (State.EventWaits.GetValueOrDefault(runId) is { } wait)
            {
                State = State with { EventWaits = State.EventWaits.Remove(runId).Add(newRunId, wait with { RunId = newRunId }) };
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask DeleteEventWaitAsync(long runId)
        {
            State = State with { EventWaits = State.EventWaits.Remove(runId) };
            return ValueTask.CompletedTask;
        }

        public ValueTask<IReadOnlyList<(long Id, EventRequest Request)>> ListEventsSinceAsync(DateTimeOffset since, long afterId, int limit) =>
            ValueTask.FromResult<IReadOnlyList<(long, EventRequest)>>(State.Events.Values
                .Where(e => e.Id > afterId && e.PublishedAt >= Stored(since)).Take(limit).Select(e => (e.Id, e.Request)).ToList());

        public ValueTask<bool> FinishQueuedRunAsync(long runId, RunState state, string? output, DateTimeOffset at)
        {
            if (State.Runs.GetValueOrDefault(runId) is not { Run.State: RunState.Queued })
            {
                return ValueTask.FromResult(false);
            }
            UpdateRun(runId, r => r with { State = state, Output = output, FinishedAt = Stored(at) });
            return ValueTask.FromResult(true);
        }
    }
}

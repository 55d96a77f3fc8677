using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Storage.Memory;

/// <summary>Flow control's primitives (the rules are in src/Kairos.Core/Engine/Flow).</summary>
internal sealed partial class MemoryStore
{
    public Task<int> DeleteFlowStateAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        Write(tx =>
        {
            var doomed = tx.State.Flow
                .Where(f => f.Value.At < Stored(before) && !(f.Value.RunId is { } run && tx.State.Runs.TryGetValue(run, out var row) && row.Active))
                .OrderBy(f => f.Value.At).Take(limit).Select(f => f.Key).ToList();
            tx.State = tx.State with { Flow = tx.State.Flow.RemoveRange(doomed) };
            return doomed.Count;
        });

    private sealed partial class Transaction
    {
        public ValueTask<IReadOnlyList<string>> ListRunningFlowKeysAsync() =>
            ValueTask.FromResult<IReadOnlyList<string>>(State.Runs.Values
                .Where(r => r.Run.State == RunState.Running && r.FlowKeys is not null).Select(r => r.FlowKeys!).ToList());

        public ValueTask<bool> UpdateQueuedRunAsync(long runId, string? payload, DateTimeOffset dueAt)
        {
            if (State.Runs.GetValueOrDefault(runId) is not { Run.State: RunState.Queued })
            {
                return ValueTask.FromResult(false);
            }
            UpdateRun(runId, r => r with { Payload = payload, DueAt = Stored(dueAt) });
            return ValueTask.FromResult(true);
        }

        public ValueTask<FlowState?> GetFlowStateAsync(string key) => ValueTask.FromResult(State.Flow.GetValueOrDefault(key));

        public ValueTask SetFlowStateAsync(string key, FlowState state)
        {
            State = State with { Flow = State.Flow.SetItem(key, state with { At = Stored(state.At) }) };
            return ValueTask.CompletedTask;
        }
    }
}

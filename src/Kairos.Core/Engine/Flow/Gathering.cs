using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Drivers;

namespace Kairos.Engine.Flow;

/// <summary>
/// Debounce and batch: a request folded into the run already made for its key, while that run is
/// still queued (<see cref="FlowEnqueue"/> holds the job's row lock). A run a claim took meanwhile
/// is no longer queued, so the update finds nothing and the request makes a new run.
/// </summary>
internal static class Gathering
{
    /// <summary>The pending run, given the request's payload and moved a period on; null when there is none to fold into.</summary>
    public static async ValueTask<EnqueueResult?> DebounceAsync(IDriverTransaction tx, RunRequest request, DebounceRule debounce, FlowState? state, DateTimeOffset now)
    {
        if (state is not { RunId: { } pending })
        {
            return null;
        }
        var due = now + debounce.Period;
        if (debounce.Timeout is { } timeout && state.At + timeout < due)
        {
            due = state.At + timeout;
        }
        if (!await tx.UpdateQueuedRunAsync(pending, request.Payload, due).ConfigureAwait(false))
        {
            return null;
        }
        await tx.AppendJournalAsync(now, "run.debounced", request.JobName, pending, request.TriggerId,
            JsonSerializer.Serialize(new { source = request.Source, dueAt = due }, KairosJson.Options)).ConfigureAwait(false);
        return new EnqueueResult(pending, false, RunState.Queued);
    }

    /// <summary>The pending batch run with the request's payload added; null when there is none to add to.</summary>
    public static async ValueTask<EnqueueResult?> BatchAsync(IDriverTransaction tx, RunRequest request, BatchRule batch, string key, FlowState? state, DateTimeOffset now)
    {
        if (state is not { RunId: { } pending } || await tx.GetRunAsync(pending).ConfigureAwait(false) is not { State: RunState.Queued } run
            || JsonNode.Parse(run.Payload ?? "[]") is not JsonArray payloads)
        {
            return null;
        }
        payloads.Add(JsonNode.Parse(request.Payload ?? "null"));
        var full = payloads.Count >= batch.MaxSize;
        var due = full && now < run.DueAt ? now : run.DueAt;
        if (!await tx.UpdateQueuedRunAsync(pending, payloads.ToJsonString(KairosJson.Options), due).ConfigureAwait(false))
        {
            return null;
        }
        if (full)
        {
            await tx.SetFlowStateAsync(key, new FlowState(now, null)).ConfigureAwait(false); // The next request starts a new batch.
        }
        await tx.AppendJournalAsync(now, "run.batched", request.JobName, pending, request.TriggerId,
            JsonSerializer.Serialize(new { source = request.Source, size = payloads.Count, dueAt = due }, KairosJson.Options)).ConfigureAwait(false);
        return new EnqueueResult(pending, false, RunState.Queued);
    }
}

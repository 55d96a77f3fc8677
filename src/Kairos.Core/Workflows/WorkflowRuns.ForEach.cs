using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Executors;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Workflows;

/// <summary>
/// <c>forEach</c> steps: the list is read when the step starts, a row is stored per item, and items
/// start as others end, at most <c>maxParallel</c> at once. The step succeeds with the items' outputs
/// in order once every item has, and fails as soon as one item fails. A workflow run retried by hand
/// keeps the items that succeeded and starts the others again.
/// </summary>
internal static partial class WorkflowRuns
{
    private static async ValueTask StartForEachAsync(IDriverTransaction tx, Moving w, WorkflowStep step, WorkflowStepRow row, DateTimeOffset now)
    {
        if (!ItemsOf(w, step.Id).Any())
        {
            if (ReadList(w, step, out var error) is not { } list)
            {
                await EndStepWithoutRunAsync(tx, w, row, error!, now).ConfigureAwait(false);
                return;
            }
            var first = w.Stored.Steps.Max(s => s.Ordinal) + 1;
            await w.InsertAsync(tx, list.Select((_, i) => new WorkflowStepRow(StepItems.Id(step.Id, i), first + i, StepStates.Pending)).ToList()).ConfigureAwait(false);
        }
        await w.SaveAsync(tx, row with { State = StepStates.Started, StartedAt = now }).ConfigureAwait(false);
        await StartItemsAsync(tx, w, step, now).ConfigureAwait(false);
        await EndForEachIfDoneAsync(tx, w, step, now).ConfigureAwait(false);
    }

    private static async ValueTask ItemEndedAsync(IDriverTransaction tx, Moving w, WorkflowStepRow item, DateTimeOffset now)
    {
        var step = w.Step(StepItems.StepOf(item.StepId));
        var parent = w.Row(step.Id);
        if (parent.State != StepStates.Started)
        {
            return; // The step failed already (another item): this one is recorded, nothing more.
        }
        if (item.State is StepStates.Failed or StepStates.Cancelled)
        {
            var failed = parent with
            {
                State = StepStates.Failed,
                Error = $"item {StepItems.IndexOf(item.StepId)} {(item.State == StepStates.Failed ? "failed" : "was cancelled")}{(item.Error is null ? "" : ": " + item.Error)}",
                FinishedAt = now,
                EndedSeq = NextEndedSeq(w),
            };
            await w.SaveAsync(tx, failed).ConfigureAwait(false);
            await StepEndedAsync(tx, w, failed, now).ConfigureAwait(false);
            return;
        }
        await StartItemsAsync(tx, w, step, now).ConfigureAwait(false);
        await EndForEachIfDoneAsync(tx, w, step, now).ConfigureAwait(false);
    }

    /// <summary>Starts pending items while fewer than maxParallel are going.</summary>
    private static async ValueTask StartItemsAsync(IDriverTransaction tx, Moving w, WorkflowStep step, DateTimeOffset now)
    {
        if (w.Stored.Workflow.State == WorkflowStates.Paused)
        {
            return; // Resuming starts them.
        }
        var items = ItemsOf(w, step.Id).ToList();
        var room = (step.MaxParallel ?? int.MaxValue) - items.Count(i => i.State == StepStates.Started);
        var starting = items.Where(i => i.State == StepStates.Pending).Take(Math.Max(0, room)).ToList();
        if (starting.Count == 0)
        {
            return;
        }
        if (ReadList(w, step, out var error) is not { } list)
        {
            await EndStepWithoutRunAsync(tx, w, w.Row(step.Id), error!, now).ConfigureAwait(false);
            return;
        }
        foreach (var item in starting)
        {
            var index = StepItems.IndexOf(item.StepId);
            var value = index < list.Count ? list[index] : null;
            string? input;
            try
            {
                input = step.Input is { } template
                    ? PayloadTemplate.RenderJson(template, WorkflowContext.Build(w.Run.Payload, w.Stored.Steps, value, index), TemplateRoot.Workflow)
                    : value?.ToJsonString(KairosJson.Options) ?? "null";
            }
            catch (TemplateException ex)
            {
                await EndStepWithoutRunAsync(tx, w, w.Row(step.Id), $"item {index}: its input could not be made: {ex.Message}", now).ConfigureAwait(false);
                return;
            }
            if (await EnqueueAsync(tx, w.Run, step, input, null, now).ConfigureAwait(false) is not { State: not RunState.Skipped } run)
            {
                await EndStepWithoutRunAsync(tx, w, w.Row(step.Id), $"item {index} could not start (its job is missing or skipped the run)", now).ConfigureAwait(false);
                return;
            }
            await w.SaveAsync(tx, item with { State = StepStates.Started, RunId = run.RunId, StartedAt = now }).ConfigureAwait(false);
        }
    }

    private static async ValueTask EndForEachIfDoneAsync(IDriverTransaction tx, Moving w, WorkflowStep step, DateTimeOffset now)
    {
        var parent = w.Row(step.Id);
        var items = ItemsOf(w, step.Id).OrderBy(i => StepItems.IndexOf(i.StepId)).ToList();
        if (parent.State != StepStates.Started || items.Any(i => i.State != StepStates.Succeeded))
        {
            return;
        }
        var output = new JsonArray(items.Select(i => WorkflowContext.Parse(i.Output)).ToArray()).ToJsonString(KairosJson.Options);
        var succeeded = parent with { State = StepStates.Succeeded, Output = output, FinishedAt = now, EndedSeq = NextEndedSeq(w) };
        await w.SaveAsync(tx, succeeded).ConfigureAwait(false);
        await tx.AppendJournalAsync(now, "workflow.step-ended", w.Run.JobName, w.Run.Id, null,
            JsonSerializer.Serialize(new { step = step.Id, state = succeeded.State, items = items.Count }, KairosJson.Options)).ConfigureAwait(false);
        await StepEndedAsync(tx, w, succeeded, now).ConfigureAwait(false);
    }

    /// <summary>The list a forEach step goes over; null, with why, when its template does not give a list of at most <see cref="WorkflowStep.MaxItems"/>.</summary>
    private static List<JsonNode?>? ReadList(Moving w, WorkflowStep step, out string? error)
    {
        try
        {
            var list = JsonNode.Parse(PayloadTemplate.RenderJson(step.ForEach!, w.Context(), TemplateRoot.Workflow)) as JsonArray;
            error = list is null ? "forEach did not give a list"
                : list.Count > WorkflowStep.MaxItems ? $"forEach gave {list.Count} items; at most {WorkflowStep.MaxItems}"
                : null;
            if (error is null)
            {
                return [.. list!];
            }
        }
        catch (Exception ex) when (ex is TemplateException or JsonException)
        {
            error = $"forEach could not be read: {ex.Message}";
        }
        return null;
    }

    private static IEnumerable<WorkflowStepRow> ItemsOf(Moving w, string stepId) =>
        w.Stored.Steps.Where(s => StepItems.IsItem(s.StepId) && StepItems.StepOf(s.StepId) == stepId);

    private static int NextEndedSeq(Moving w) => w.Stored.Steps.Max(s => s.EndedSeq ?? 0) + 1;
}

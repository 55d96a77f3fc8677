using System.Text.Json;
using Kairos.Model;

namespace Kairos.Events.Routing;

/// <summary>
/// Cancelling an event that is still pending (none of its runs has started): its queued runs are
/// cancelled (each publishing run.cancelled) and the event is marked cancelled, in one transaction
/// that holds the event and its runs, so a claim cannot start one of them meanwhile.
/// </summary>
internal static class EventCancellation
{
    /// <summary>Returns how many runs were cancelled.</summary>
    public static async ValueTask<int> CancelAsync(Storage.Drivers.IDriverTransaction tx, long eventId, DateTimeOffset now)
    {
        var evt = await tx.GetEventForUpdateAsync(eventId).ConfigureAwait(false)
            ?? throw new KairosNotFoundException($"event {eventId} does not exist");
        if (evt.Status != EventStatus.Pending)
        {
            throw new KairosConflictException($"event {eventId} is {evt.Status.ToString().ToLowerInvariant()}; only a pending event (no run started) can be cancelled");
        }
        var queued = (await tx.ListRunsOfEventAsync(eventId).ConfigureAwait(false)).Where(r => r.State == RunState.Queued).ToList();
        foreach (var run in queued)
        {
            await tx.FinishRunAsync(run.RunId, RunState.Cancelled, "the event was cancelled", now).ConfigureAwait(false);
            await tx.AppendJournalAsync(now, "run.cancelled", null, run.RunId, null,
                JsonSerializer.Serialize(new { @while = "queued", eventId }, KairosJson.Options)).ConfigureAwait(false);
            await EventRouter.PublishRunFinishedAsync(tx, run.RunId, now).ConfigureAwait(false);
            await Engine.Lifecycle.RunNotifications.AfterEndAsync(tx, null, run.RunId, now).ConfigureAwait(false);
        }
        await tx.MarkEventCancelledAsync(eventId).ConfigureAwait(false);
        await tx.AppendJournalAsync(now, "event.cancelled", null, null, null,
            JsonSerializer.Serialize(new { eventId, runs = queued.Count }, KairosJson.Options)).ConfigureAwait(false);
        return queued.Count;
    }
}

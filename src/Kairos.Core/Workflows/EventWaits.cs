using System.Text.Json;
using Kairos.Events;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Workflows;

/// <summary>
/// How a <c>waitForEvent</c> step gets its event, written once for every driver. The invariant: an event
/// published after the workflow run was created that the wait matches is never missed, however the
/// publish and the step's start interleave.
/// <list type="bullet">
/// <item>The step starts (<see cref="WorkflowRuns"/>): its wait is stored, keyed by a run of the step job
/// due now, in the transaction that starts it.</item>
/// <item>That run looks back (<see cref="LookBackAsync"/>): holding the wait lock exclusively, it reads
/// the events published since the workflow run was created and takes the first that matches.</item>
/// <item>A publish (<see cref="AfterPublishedAsync"/>): holding the wait lock shared, it reads the open
/// waits of its namespace and gives the event to each that matches, ending the run the step waits in
/// when that run is queued.</item>
/// <item>The run ends (<see cref="WorkflowRuns"/>): a wait with its event ends the step with the event's
/// data; past its deadline, with <c>null</c>; else the step waits on in a new run due at the deadline,
/// which looks back once more when it runs.</item>
/// </list>
/// A publish that overlaps the look-back either held the lock first (it has committed by the time the
/// look-back reads the events, so the look-back sees its event) or reads the waits after the look-back
/// committed (so it sees the wait, stored before the look-back began). A publish that committed before
/// the wait was stored is seen by the look-back, which reads back to the workflow run's creation.
/// <para>
/// Lock order, so none of this deadlocks on PostgreSQL (<see cref="WorkflowLocks"/>): a look-back takes the
/// wait lock before any row; a run's end takes its wait's row, then its workflow's, then its own; a publish
/// takes a wait's row, then its workflow's, and then skips a run whose row another transaction holds
/// rather than waiting for it.
/// </para>
/// </summary>
internal static class EventWaits
{
    private const int LookBackPage = 500;

    /// <summary>Gives event <paramref name="eventId"/>, just stored, to the open waits it matches (in the publishing transaction); returns how many steps it ended.</summary>
    public static async ValueTask<int> AfterPublishedAsync(IDriverTransaction tx, long eventId, EventRequest request, DateTimeOffset now)
    {
        var released = 0;
        await tx.LockEventWaitsAsync(exclusive: false).ConfigureAwait(false);
        var waits = await tx.ListOpenEventWaitsAsync(Access.Namespaces.Of(request.Type)).ConfigureAwait(false);
        var matching = waits.Where(w => EventMatch.Matches(w, request)).ToList();
        if (matching.Count > 0)
        {
            await WorkflowLocks.BeforeGivingAsync(tx, matching).ConfigureAwait(false);
        }
        foreach (var wait in matching)
        {
            if (await GiveAsync(tx, wait.RunId, eventId, Output(request), now).ConfigureAwait(false) == Given.AndEnded)
            {
                released++;
            }
        }
        return released;
    }

    /// <summary>
    /// Delivers <paramref name="data"/> by hand to the wait of run <paramref name="runId"/> (<c>kairos workflows send</c>),
    /// as a matching event would be (event id 0: none was stored). Run in a transaction of its own: the wait's row is its first.
    /// </summary>
    /// <exception cref="KairosConflictException">The run waits for no event any more (the step moved on, or ended).</exception>
    public static async ValueTask SendAsync(IDriverTransaction tx, long runId, string? data, DateTimeOffset now)
    {
        if (await tx.GetEventWaitForUpdateAsync(runId).ConfigureAwait(false) is { EventId: null } wait)
        {
            await WorkflowLocks.BeforeGivingAsync(tx, [wait]).ConfigureAwait(false);
            if (await GiveAsync(tx, runId, 0, data ?? "{}", now).ConfigureAwait(false) != Given.No)
            {
                return;
            }
        }
        throw new KairosConflictException($"run {runId} waits for no event any more: the step has its event, moved on to another run, or ended");
    }

    private enum Given
    {
        No,
        Yes,
        AndEnded,
    }

    /// <summary>Gives a wait its event, unless it has one, and ends the run the step waits in when that run is queued.</summary>
    private static async ValueTask<Given> GiveAsync(IDriverTransaction tx, long runId, long eventId, string data, DateTimeOffset now)
    {
        if (!await tx.TakeEventAsync(runId, eventId, data).ConfigureAwait(false))
        {
            return Given.No;
        }
        // A run not queued is looking back or at its deadline: it finds the event taken when it ends.
        if (!await tx.FinishQueuedRunAsync(runId, RunState.Succeeded, data, now).ConfigureAwait(false)
            || await tx.GetRunAsync(runId).ConfigureAwait(false) is not { } run)
        {
            return Given.Yes;
        }
        await tx.AppendJournalAsync(now, "run.succeeded", run.JobName, run.Id, null,
            JsonSerializer.Serialize(new { eventId }, KairosJson.Options)).ConfigureAwait(false);
        await Engine.Lifecycle.RunEnded.AfterAsync(tx, run.Id, run.JobName, null, RunState.Succeeded, now).ConfigureAwait(false);
        return Given.AndEnded;
    }

    /// <summary>
    /// The look-back of the wait of run <paramref name="runId"/>: the data of the event it has taken, or
    /// of the first event since the workflow run's creation that it matches (taken now); null when none
    /// has come, or the wait is gone. Run in a transaction of its own, before it touches any row.
    /// </summary>
    public static async ValueTask<string?> LookBackAsync(IDriverTransaction tx, long runId)
    {
        await tx.LockEventWaitsAsync(exclusive: true).ConfigureAwait(false);
        if (await tx.GetEventWaitForUpdateAsync(runId).ConfigureAwait(false) is not { } wait)
        {
            return null;
        }
        if (wait.EventId is not null)
        {
            return wait.Data;
        }
        var after = 0L;
        while (true)
        {
            var page = await tx.ListEventsSinceAsync(wait.Since, after, LookBackPage).ConfigureAwait(false);
            foreach (var (id, request) in page)
            {
                if (EventMatch.Matches(wait, request))
                {
                    var data = Output(request);
                    await tx.TakeEventAsync(runId, id, data).ConfigureAwait(false);
                    return data;
                }
            }
            if (page.Count < LookBackPage)
            {
                return null;
            }
            after = page[^1].Id;
        }
    }

    /// <summary>The step's output for an event: its data (<c>{}</c> for an event without data, so that only a wait that timed out has <c>null</c>).</summary>
    private static string Output(EventRequest request) => request.Data ?? "{}";
}

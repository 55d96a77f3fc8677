using System.Text.Json;
using Kairos.Events;
using Kairos.Events.Routing;
using Kairos.Model;

namespace Kairos.Storage.Memory;

/// <summary>
/// Publishing and the event lifecycle. An event's status is not stored: it follows from its runs
/// (<see cref="EventRouting.Status"/>), so it can never disagree with them.
/// </summary>
internal sealed partial class MemoryStore
{
    public Task<PublishResult> PublishAsync(EventRequest request, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(tx => EventRouter.PublishAsync(tx, request, now), cancellationToken);

    public Task<StoredEvent?> GetEventAsync(long eventId, CancellationToken cancellationToken) =>
        Read(state => state.Events.TryGetValue(eventId, out var row) ? ReadEvent(row, RunsOfEvents(state)) : null, cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> ListEventsAsync(EventQuery query, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<StoredEvent>>(state =>
        {
            var pattern = query.TypePattern is null ? null : EventTypePattern.Parse(query.TypePattern);
            var runs = RunsOfEvents(state);
            return state.Events.Values.Reverse()
                .Where(e => (query.BeforeId is null || e.Id < query.BeforeId)
                    && (query.From is null || e.PublishedAt >= Stored(query.From.Value)) && (query.To is null || e.PublishedAt < Stored(query.To.Value)))
                .Select(e => ReadEvent(e, runs))
                .Where(e => query.Matches(e, pattern))
                .Take(query.Limit).ToList();
        }, cancellationToken);

    public Task<IReadOnlyList<EnqueueResult>> ReplayEventsAsync(ReplayRequest request, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(tx =>
        {
            var subscription = tx.State.Subscriptions.GetValueOrDefault(request.Subscription)
                ?? throw new KairosNotFoundException($"subscription '{request.Subscription}' does not exist");
            var events = tx.State.Events.Values
                .Where(e => e.PublishedAt >= Stored(request.From) && e.PublishedAt < Stored(request.To) && (request.EventId is null || e.Id == request.EventId))
                .Select(e => (e.Id, e.Request)).ToList();
            return Completed(EventRouter.ReplayAsync(tx, subscription, events, request, now));
        });

    /// <summary>The runs of every event, by event: one pass over the runs for any number of events.</summary>
    private static ILookup<long, RunRecord> RunsOfEvents(MemoryState state) =>
        state.Runs.Values.Select(r => r.Run).Where(r => r.EventId is not null).ToLookup(r => r.EventId!.Value);

    /// <summary>The event with its status: a queued run that has not started yet counts as not started; a queued retry counts as active.</summary>
    private static StoredEvent ReadEvent(EventRow e, ILookup<long, RunRecord> runsOfEvents)
    {
        var runs = runsOfEvents[e.Id].ToList();
        var status = EventRouting.Status(e.Cancelled, e.RoutingFailed, runs.Count,
            runs.Count(r => r.State == RunState.Queued && r.Attempt == 0),
            runs.Count(r => r.State == RunState.Running || (r.State == RunState.Queued && r.Attempt > 0)),
            runs.Count(r => r.State == RunState.Dead));
        return new StoredEvent(e.Id, e.Request.Type, e.Request.Source, e.Request.Data, e.Request.Priority, e.Request.IdempotencyKey, e.PublishedAt, status, runs.Count);
    }
}

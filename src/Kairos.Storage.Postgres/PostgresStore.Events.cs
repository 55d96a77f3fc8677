using Kairos.Events;
using Kairos.Events.Routing;
using Kairos.Model;
using Npgsql;

namespace Kairos.Storage.Postgres;

/// <summary>
/// Publishing and the event lifecycle. An event's status is not stored: it follows from its runs
/// (see <see cref="Status"/>), so it can never disagree with them.
/// </summary>
internal sealed partial class PostgresStore
{
    private const string EventColumns =
        "e.id, e.type, e.source, e.data, e.priority, e.idempotency_key, e.published_at, e.cancelled, e.routing_failed, " +
        "COUNT(r.id), COUNT(r.id) FILTER (WHERE r.state = 'queued' AND r.attempt = 0), " +
        "COUNT(r.id) FILTER (WHERE r.state = 'running' OR (r.state = 'queued' AND r.attempt > 0)), " +
        "COUNT(r.id) FILTER (WHERE r.state = 'dead')";

    public Task<PublishResult> PublishAsync(EventRequest request, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(async scope => await EventRouter.PublishAsync(new Transaction(this, scope), request, now), cancellationToken);

    public Task<StoredEvent?> GetEventAsync(long eventId, CancellationToken cancellationToken) =>
        Read(async scope => (StoredEvent?)(await scope.Query(
            $"SELECT {EventColumns} FROM events e LEFT JOIN runs r ON r.event_id = e.id WHERE e.id = @id GROUP BY e.id", ReadEvent, ("id", eventId))).FirstOrDefault(),
            cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> ListEventsAsync(EventQuery query, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<StoredEvent>>(async scope =>
        {
            var pattern = query.TypePattern is null ? null : EventTypePattern.Parse(query.TypePattern);
            var found = new List<StoredEvent>();
            var before = query.BeforeId;
            // Namespace, type pattern and status are applied here, so page through until the page is full.
            while (found.Count < query.Limit)
            {
                var page = await scope.Query(
                    $"""
                    SELECT {EventColumns} FROM events e LEFT JOIN runs r ON r.event_id = e.id
                    WHERE (@before::bigint IS NULL OR e.id < @before::bigint) AND (@from::bigint IS NULL OR e.published_at >= @from::bigint)
                      AND (@to::bigint IS NULL OR e.published_at < @to::bigint)
                    GROUP BY e.id ORDER BY e.id DESC LIMIT 500
                    """,
                    ReadEvent, ("before", before), ("from", Ms(query.From)), ("to", Ms(query.To)));
                found.AddRange(page.Where(e => query.Matches(e, pattern)));
                if (page.Count < 500)
                {
                    break;
                }
                before = page[^1].Id;
            }
            return found.Take(query.Limit).ToList();
        }, cancellationToken);

    public Task<IReadOnlyList<EnqueueResult>> ReplayEventsAsync(ReplayRequest request, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write<IReadOnlyList<EnqueueResult>>(async scope =>
        {
            var subscription = (await scope.Query($"SELECT {SubscriptionColumns} FROM subscriptions WHERE name = @name", ReadSubscription, ("name", request.Subscription)))
                .FirstOrDefault() ?? throw new KairosNotFoundException($"subscription '{request.Subscription}' does not exist");
            var events = await scope.Query(
                "SELECT id, type, source, data, priority FROM events WHERE published_at >= @from AND published_at < @to AND (@event::bigint IS NULL OR id = @event::bigint) ORDER BY id",
                r => (Id: r.GetInt64(0), Request: new EventRequest(r.GetString(1), r.GetString(2)) { Data = PostgresRows.Text(r, 3), Priority = (int)r.GetInt64(4) }),
                ("from", Ms(request.From)), ("to", Ms(request.To)), ("event", request.EventId));
            return await EventRouter.ReplayAsync(new Transaction(this, scope), subscription, events, request, now);
        }, cancellationToken);

    private static StoredEvent ReadEvent(NpgsqlDataReader r)
    {
        var runs = (int)r.GetInt64(9);
        return new StoredEvent(r.GetInt64(0), r.GetString(1), r.GetString(2), PostgresRows.Text(r, 3), (int)r.GetInt64(4),
            PostgresRows.Text(r, 5), Time(r.GetInt64(6)),
            EventRouting.Status(r.GetBoolean(7), r.GetBoolean(8), runs, (int)r.GetInt64(10), (int)r.GetInt64(11), (int)r.GetInt64(12)), runs);
    }

}

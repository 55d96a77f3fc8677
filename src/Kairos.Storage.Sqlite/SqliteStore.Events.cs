using Kairos.Events;
using Kairos.Events.Routing;
using Kairos.Model;
using Microsoft.Data.Sqlite;

namespace Kairos.Storage.Sqlite;

/// <summary>
/// Publishing and the event lifecycle. An event's status is not stored: it follows from its runs
/// (see <see cref="Status"/>), so it can never disagree with them.
/// </summary>
internal sealed partial class SqliteStore
{
    private const string EventColumns =
        "e.id, e.type, e.source, e.data, e.priority, e.idempotency_key, e.published_at, e.cancelled, e.routing_failed, " +
        "COUNT(r.id), COALESCE(SUM(r.state = 'queued' AND r.attempt = 0), 0), COALESCE(SUM(r.state = 'running' OR (r.state = 'queued' AND r.attempt > 0)), 0), " +
        "COALESCE(SUM(r.state = 'dead'), 0)";

    public Task<PublishResult> PublishAsync(EventRequest request, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(scope => Completed(EventRouter.PublishAsync(new Transaction(this, scope), request, now)));

    public Task<StoredEvent?> GetEventAsync(long eventId, CancellationToken cancellationToken) =>
        Read(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {EventColumns} FROM events e LEFT JOIN runs r ON r.event_id = e.id WHERE e.id = @id GROUP BY e.id";
            command.Parameters.AddWithValue("@id", eventId);
            return SqliteRows.ReadAll(command, ReadEvent).FirstOrDefault();
        }, cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> ListEventsAsync(EventQuery query, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<StoredEvent>>(connection =>
        {
            var pattern = query.TypePattern is null ? null : EventTypePattern.Parse(query.TypePattern);
            var found = new List<StoredEvent>();
            var before = query.BeforeId;
            // Namespace, type pattern and status are applied here, so page through until the page is full.
            while (found.Count < query.Limit)
            {
                using var command = connection.CreateCommand();
                command.CommandText =
                    $"""
                    SELECT {EventColumns} FROM events e LEFT JOIN runs r ON r.event_id = e.id
                    WHERE (@before IS NULL OR e.id < @before) AND (@from IS NULL OR e.published_at >= @from) AND (@to IS NULL OR e.published_at < @to)
                    GROUP BY e.id ORDER BY e.id DESC LIMIT 500
                    """;
                command.Parameters.AddWithValue("@before", (object?)before ?? DBNull.Value);
                command.Parameters.AddWithValue("@from", (object?)Ms(query.From) ?? DBNull.Value);
                command.Parameters.AddWithValue("@to", (object?)Ms(query.To) ?? DBNull.Value);
                var page = SqliteRows.ReadAll(command, ReadEvent);
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
        Write<IReadOnlyList<EnqueueResult>>(scope =>
        {
            var subscription = SqliteRows.ReadAll(scope.Command($"SELECT {SubscriptionColumns} FROM subscriptions WHERE name = @name", ("@name", request.Subscription)), ReadSubscription)
                .FirstOrDefault() ?? throw new KairosNotFoundException($"subscription '{request.Subscription}' does not exist");
            var events = SqliteRows.ReadAll(scope.Command(
                "SELECT id, type, source, data, priority FROM events WHERE published_at >= @from AND published_at < @to AND (@event IS NULL OR id = @event) ORDER BY id",
                ("@from", Ms(request.From)), ("@to", Ms(request.To)), ("@event", request.EventId)),
                r => (Id: r.GetInt64(0), Request: new EventRequest(r.GetString(1), r.GetString(2)) { Data = SqliteRows.NullableString(r, 3), Priority = r.GetInt32(4) }));
            return Completed(EventRouter.ReplayAsync(new Transaction(this, scope), subscription, events, request, now));
        });

    private static StoredEvent ReadEvent(SqliteDataReader r)
    {
        var runs = r.GetInt32(9);
        return new StoredEvent(r.GetInt64(0), r.GetString(1), r.GetString(2), SqliteRows.NullableString(r, 3), r.GetInt32(4),
            SqliteRows.NullableString(r, 5), Time(r.GetInt64(6)),
            EventRouting.Status(r.GetInt64(7) != 0, r.GetInt64(8) != 0, runs, r.GetInt32(10), r.GetInt32(11), r.GetInt32(12)), runs);
    }

}

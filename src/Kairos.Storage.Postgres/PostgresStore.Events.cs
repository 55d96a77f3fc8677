using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Events;
using Kairos.Model;
using Npgsql;

namespace Kairos.Storage.Postgres;

/// <summary>
/// Publishing and the event lifecycle. An event's status is not stored: it follows from its runs
/// (see <see cref="Status"/>), so it can never disagree with them.
/// </summary>
public sealed partial class PostgresStore
{
    private const string EventColumns =
        "e.id, e.type, e.source, e.data, e.priority, e.idempotency_key, e.published_at, e.cancelled, " +
        "COUNT(r.id), COUNT(r.id) FILTER (WHERE r.state = 'queued' AND r.attempt = 0), " +
        "COUNT(r.id) FILTER (WHERE r.state = 'running' OR (r.state = 'queued' AND r.attempt > 0)), " +
        "COUNT(r.id) FILTER (WHERE r.state = 'dead')";

    public Task<PublishResult> PublishAsync(EventRequest request, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(async scope => await PublishInScope(scope, request, now, parent: null, await ActiveSubscriptions(scope)), cancellationToken);

    private async Task<PublishResult> PublishInScope(PgScope scope, EventRequest request, DateTimeOffset now, RunRecord? parent, List<Subscription> subscriptions)
    {
        if (request.IdempotencyKey is { } key && await scope.Scalar("SELECT id FROM events WHERE idempotency_key = @key", ("key", key)) is long existing)
        {
            var earlier = await scope.Query("SELECT id, state FROM runs WHERE event_id = @id ORDER BY id",
                r => new EnqueueResult(r.GetInt64(0), false, RunStates.Parse(r.GetString(1))), ("id", existing));
            return new PublishResult(existing, false, earlier);
        }
        var eventId = (long)(await scope.Scalar(
            "INSERT INTO events (type, source, data, priority, idempotency_key, published_at) VALUES (@type, @source, @data::text, @priority, @key::text, @now) RETURNING id",
            ("type", request.Type), ("source", request.Source), ("data", request.Data), ("priority", (long)request.Priority),
            ("key", request.IdempotencyKey), ("now", Ms(now))))!;
        await Journal(scope, now, "event.published", parent?.JobName, parent?.Id, null,
            JsonSerializer.Serialize(new { eventId, type = request.Type, source = request.Source, idempotencyKey = request.IdempotencyKey }, KairosJson.Options));

        var envelope = new EventEnvelope(request);
        var runs = new List<EnqueueResult>();
        foreach (var subscription in subscriptions.Where(s => _matcher.Matches(s, envelope)))
        {
            if (await RunFor(scope, subscription, eventId, request, now, parent) is { } run)
            {
                runs.Add(run);
            }
        }
        return new PublishResult(eventId, true, runs);
    }

    /// <summary>One subscription's run for an event; null when a chain limit stops it or its job is gone (journaled).</summary>
    private async Task<EnqueueResult?> RunFor(PgScope scope, Subscription subscription, long eventId, EventRequest request, DateTimeOffset now, RunRecord? parent)
    {
        var depth = parent is null ? 0 : parent.ChainDepth + 1;
        var limit = subscription.MaxDepth ?? EventRouting.DefaultChainLimit;
        if (parent is not null && depth > limit)
        {
            await Journal(scope, now, "chain.stopped", subscription.Job, parent.Id, null, JsonSerializer.Serialize(
                new { subscription = subscription.Name, eventId, depth, limit, reason = $"the chain reached its maximum depth of {limit}" }, KairosJson.Options));
            return null;
        }
        var data = request.Data ?? "null";
        var publishedAt = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var payload = string.Concat(
            "{\"event\":{\"id\":", eventId.ToString(CultureInfo.InvariantCulture),
            ",\"type\":", JsonSerializer.Serialize(request.Type),
            ",\"source\":", JsonSerializer.Serialize(request.Source),
            ",\"data\":", data,
            ",\"publishedAt\":\"", publishedAt,
            "\"},\"subscription\":", JsonSerializer.Serialize(subscription.Name),
            parent is null ? "}" : ",\"parent\":" + data + "}");
        // The job may be gone: check first rather than let the enqueue throw (an exception inside a
        // PostgreSQL transaction would not roll back alone; here it would abort the whole publish).
        if (await scope.Scalar("SELECT 1 FROM jobs WHERE name = @name", ("name", subscription.Job)) is null)
        {
            await Journal(scope, now, "subscription.failed", subscription.Job, null, null,
                JsonSerializer.Serialize(new { subscription = subscription.Name, eventId, reason = $"job '{subscription.Job}' does not exist" }, KairosJson.Options));
            return null;
        }
        return await EnqueueInScope(scope, new RunRequest(subscription.Job, subscription.OwnerJob is null ? TriggerSources.Event : TriggerSources.Completion)
        {
            Payload = payload,
            Priority = request.Priority,
            EventId = eventId,
            Subscription = subscription.Name,
            ParentRunId = parent?.Id,
            ChainDepth = depth,
        }, now);
    }

    /// <summary>Publishes run.succeeded / run.failed / run.cancelled for a run that just ended, if anyone listens.</summary>
    /// <param name="subscriptions">The active subscriptions, when the caller has read them already (a batch of completions); else read here.</param>
    private async Task PublishRunFinished(PgScope scope, long runId, DateTimeOffset now, List<Subscription>? subscriptions = null)
    {
        subscriptions ??= await ActiveSubscriptions(scope);
        if (subscriptions.Count == 0)
        {
            return;
        }
        var run = (await scope.Query($"SELECT {PostgresRows.RunColumns} FROM runs WHERE id = @id", PostgresRows.Run, ("id", runId))).Single();
        if (EventRouting.RunFinished(run) is not { } request || !_matcher.AnyListens(subscriptions, request.Type))
        {
            return;
        }
        var envelope = new EventEnvelope(request);
        if (subscriptions.Any(s => _matcher.Matches(s, envelope)))
        {
            await PublishInScope(scope, request, now, run, subscriptions);
        }
    }

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
            // Type patterns and status are applied here, so page through until the page is full.
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
                found.AddRange(page.Where(e => (pattern is null || pattern.Matches(e.Type)) && (query.Status is null || e.Status == query.Status)));
                if (page.Count < 500)
                {
                    break;
                }
                before = page[^1].Id;
            }
            return found.Take(query.Limit).ToList();
        }, cancellationToken);

    public Task<int> CancelEventAsync(long eventId, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(async scope =>
        {
            // Lock the event first, then its queued runs, so a claim cannot start one of them meanwhile.
            if (await scope.Scalar("SELECT 1 FROM events WHERE id = @id FOR UPDATE", ("id", eventId)) is null)
            {
                throw new KairosNotFoundException($"event {eventId} does not exist");
            }
            await scope.Execute("SELECT 1 FROM runs WHERE event_id = @id FOR UPDATE", ("id", eventId));
            var evt = (await scope.Query($"SELECT {EventColumns} FROM events e LEFT JOIN runs r ON r.event_id = e.id WHERE e.id = @id GROUP BY e.id", ReadEvent, ("id", eventId)))
                .Single();
            if (evt.Status != EventStatus.Pending)
            {
                throw new KairosConflictException($"event {eventId} is {evt.Status.ToString().ToLowerInvariant()}; only a pending event (no run started) can be cancelled");
            }
            var queued = await scope.Query("SELECT id FROM runs WHERE event_id = @id AND state = 'queued' ORDER BY id", r => r.GetInt64(0), ("id", eventId));
            foreach (var runId in queued)
            {
                await scope.Execute("UPDATE runs SET state = 'cancelled', finished_at = @now, error = 'the event was cancelled' WHERE id = @id", ("now", Ms(now)), ("id", runId));
                await Journal(scope, now, "run.cancelled", null, runId, null, JsonSerializer.Serialize(new { @while = "queued", eventId }, KairosJson.Options));
                await PublishRunFinished(scope, runId, now);
            }
            await scope.Execute("UPDATE events SET cancelled = true WHERE id = @id", ("id", eventId));
            await Journal(scope, now, "event.cancelled", null, null, null, JsonSerializer.Serialize(new { eventId, runs = queued.Count }, KairosJson.Options));
            return queued.Count;
        }, cancellationToken);

    public Task<IReadOnlyList<EnqueueResult>> ReplayEventsAsync(ReplayRequest request, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write<IReadOnlyList<EnqueueResult>>(async scope =>
        {
            var subscription = (await scope.Query($"SELECT {SubscriptionColumns} FROM subscriptions WHERE name = @name", ReadSubscription, ("name", request.Subscription)))
                .FirstOrDefault() ?? throw new KairosNotFoundException($"subscription '{request.Subscription}' does not exist");
            var pattern = request.TypePattern is null ? null : EventTypePattern.Parse(request.TypePattern);
            var events = await scope.Query(
                "SELECT id, type, source, data, priority FROM events WHERE published_at >= @from AND published_at < @to ORDER BY id",
                r => (Id: r.GetInt64(0), Request: new EventRequest(r.GetString(1), r.GetString(2)) { Data = PostgresRows.Text(r, 3), Priority = (int)r.GetInt64(4) }),
                ("from", Ms(request.From)), ("to", Ms(request.To)));
            var runs = new List<EnqueueResult>();
            foreach (var (id, evt) in events.Where(e => pattern is null || pattern.Matches(e.Request.Type)))
            {
                if (_matcher.Matches(subscription, new EventEnvelope(evt)) && await RunFor(scope, subscription, id, evt, now, parent: null) is { } run)
                {
                    runs.Add(run);
                }
            }
            await Journal(scope, now, "event.replayed", subscription.Job, null, null, JsonSerializer.Serialize(
                new { subscription = subscription.Name, from = request.From, to = request.To, type = request.TypePattern, runs = runs.Count }, KairosJson.Options));
            return runs;
        }, cancellationToken);

    private static StoredEvent ReadEvent(NpgsqlDataReader r)
    {
        var runs = (int)r.GetInt64(8);
        return new StoredEvent(r.GetInt64(0), r.GetString(1), r.GetString(2), PostgresRows.Text(r, 3), (int)r.GetInt64(4),
            PostgresRows.Text(r, 5), Time(r.GetInt64(6)), EventRouting.Status(r.GetBoolean(7), runs, (int)r.GetInt64(9), (int)r.GetInt64(10), (int)r.GetInt64(11)), runs);
    }

}

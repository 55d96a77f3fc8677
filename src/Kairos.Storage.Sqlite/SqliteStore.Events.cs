using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Events;
using Kairos.Model;
using Microsoft.Data.Sqlite;

namespace Kairos.Storage.Sqlite;

/// <summary>
/// Publishing and the event lifecycle. An event's status is not stored: it follows from its runs
/// (see <see cref="Status"/>), so it can never disagree with them.
/// </summary>
public sealed partial class SqliteStore
{
    /// <summary>
    /// Runs caused by run.* events carry a chain depth. Completion triggers set their own limit; any
    /// other chain (a subscription to run.failed whose job fails, say) stops at this depth.
    /// </summary>
    internal const int DefaultChainLimit = 25;

    private const string EventColumns =
        "e.id, e.type, e.source, e.data, e.priority, e.idempotency_key, e.published_at, e.cancelled, " +
        "COUNT(r.id), COALESCE(SUM(r.state = 'queued' AND r.attempt = 0), 0), COALESCE(SUM(r.state = 'running' OR (r.state = 'queued' AND r.attempt > 0)), 0), " +
        "COALESCE(SUM(r.state = 'dead'), 0)";

    public Task<PublishResult> PublishAsync(EventRequest request, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(scope => PublishInScope(scope, request, now, parent: null, ActiveSubscriptions(scope)));

    private PublishResult PublishInScope(SqliteWriteScope scope, EventRequest request, DateTimeOffset now, RunRecord? parent, List<Subscription> subscriptions)
    {
        if (request.IdempotencyKey is { } key && scope.Scalar("SELECT id FROM events WHERE idempotency_key = @key", ("@key", key)) is long existing)
        {
            var earlier = SqliteRows.ReadAll(scope.Command("SELECT id, state FROM runs WHERE event_id = @id ORDER BY id", ("@id", existing)),
                r => new EnqueueResult(r.GetInt64(0), false, RunStates.Parse(r.GetString(1))));
            return new PublishResult(existing, false, earlier);
        }
        var eventId = (long)scope.Scalar(
            "INSERT INTO events (type, source, data, priority, idempotency_key, published_at) VALUES (@type, @source, @data, @priority, @key, @now) RETURNING id",
            ("@type", request.Type), ("@source", request.Source), ("@data", request.Data), ("@priority", request.Priority),
            ("@key", request.IdempotencyKey), ("@now", Ms(now)))!;
        Journal(scope, now, "event.published", parent?.JobName, parent?.Id, null,
            JsonSerializer.Serialize(new { eventId, type = request.Type, source = request.Source, idempotencyKey = request.IdempotencyKey }, KairosJson.Options));

        var envelope = new EventEnvelope(request);
        var runs = new List<EnqueueResult>();
        foreach (var subscription in subscriptions.Where(s => Matches(s, envelope)))
        {
            if (RunFor(scope, subscription, eventId, request, now, parent) is { } run)
            {
                runs.Add(run);
            }
        }
        return new PublishResult(eventId, true, runs);
    }

    /// <summary>One subscription's run for an event; null when a chain limit stops it or its job is gone (journaled).</summary>
    private EnqueueResult? RunFor(SqliteWriteScope scope, Subscription subscription, long eventId, EventRequest request, DateTimeOffset now, RunRecord? parent)
    {
        var depth = parent is null ? 0 : parent.ChainDepth + 1;
        var limit = subscription.MaxDepth ?? DefaultChainLimit;
        if (parent is not null && depth > limit)
        {
            Journal(scope, now, "chain.stopped", subscription.Job, parent.Id, null, JsonSerializer.Serialize(
                new { subscription = subscription.Name, eventId, depth, limit, reason = $"the chain reached its maximum depth of {limit}" }, KairosJson.Options));
            return null;
        }
        // Built as text around the event's raw data: parsing and re-serializing it per run is the
        // most expensive part of a publish otherwise.
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
        try
        {
            return EnqueueInScope(scope, new RunRequest(subscription.Job, subscription.OwnerJob is null ? TriggerSources.Event : TriggerSources.Completion)
            {
                Payload = payload,
                Priority = request.Priority,
                EventId = eventId,
                Subscription = subscription.Name,
                ParentRunId = parent?.Id,
                ChainDepth = depth,
            }, now);
        }
        catch (KairosNotFoundException ex)
        {
            Journal(scope, now, "subscription.failed", subscription.Job, null, null,
                JsonSerializer.Serialize(new { subscription = subscription.Name, eventId, reason = ex.Message }, KairosJson.Options));
            return null;
        }
    }

    /// <summary>Publishes run.succeeded / run.failed / run.cancelled for a run that just ended, if anyone listens.</summary>
    private void PublishRunFinished(SqliteWriteScope scope, long runId, DateTimeOffset now)
    {
        var subscriptions = ActiveSubscriptions(scope);
        if (subscriptions.Count == 0)
        {
            return;
        }
        var run = SqliteRows.ReadAll(scope.Command($"SELECT {SqliteRows.RunColumns} FROM runs WHERE id = @id", ("@id", runId)), r => SqliteRows.Run(r)).Single();
        var type = run.State switch
        {
            RunState.Succeeded => "run.succeeded",
            RunState.Dead => "run.failed",
            RunState.Cancelled => "run.cancelled",
            _ => null,
        };
        if (type is null || !AnyListens(subscriptions, type))
        {
            return;
        }
        var data = new JsonObject
        {
            ["runId"] = run.Id,
            ["job"] = run.JobName,
            ["state"] = run.State.ToWire(),
            ["attempt"] = run.Attempt,
            ["source"] = run.Source,
            ["output"] = ParseOrText(run.Output),
            ["error"] = run.Error,
            ["parentRunId"] = run.ParentRunId,
            ["chainDepth"] = run.ChainDepth,
        };
        var request = new EventRequest(type, "kairos") { Data = data.ToJsonString(), Priority = run.Priority };
        // Stored only when a subscription takes it: a busy engine does not store an event per run nobody asked for.
        var envelope = new EventEnvelope(request);
        if (subscriptions.Any(s => Matches(s, envelope)))
        {
            PublishInScope(scope, request, now, run, subscriptions);
        }
    }

    private static JsonNode? ParseOrText(string? text)
    {
        if (text is null)
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    /// <summary>An event as subscriptions see it: its type split once, its JSON envelope parsed only if a filter needs it.</summary>
    private sealed class EventEnvelope(EventRequest request)
    {
        private JsonNode? _json;

        public string Type => request.Type;

        public string[] TypeSegments { get; } = request.Type.Split('.');

        public JsonNode Json => _json ??= new JsonObject
        {
            ["type"] = request.Type,
            ["source"] = request.Source,
            ["priority"] = request.Priority,
            ["data"] = request.Data is null ? null : JsonNode.Parse(request.Data),
        };
    }

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
            // Type patterns and status are applied here, so page through until the page is full.
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
        Write(scope =>
        {
            var evt = SqliteRows.ReadAll(scope.Command($"SELECT {EventColumns} FROM events e LEFT JOIN runs r ON r.event_id = e.id WHERE e.id = @id GROUP BY e.id", ("@id", eventId)), ReadEvent)
                .FirstOrDefault() ?? throw new KairosNotFoundException($"event {eventId} does not exist");
            if (evt.Status != EventStatus.Pending)
            {
                throw new KairosConflictException($"event {eventId} is {evt.Status.ToString().ToLowerInvariant()}; only a pending event (no run started) can be cancelled");
            }
            var queued = SqliteRows.ReadAll(scope.Command("SELECT id FROM runs WHERE event_id = @id AND state = 'queued'", ("@id", eventId)), r => r.GetInt64(0));
            foreach (var runId in queued)
            {
                scope.Execute("UPDATE runs SET state = 'cancelled', finished_at = @now, error = 'the event was cancelled' WHERE id = @id", ("@now", Ms(now)), ("@id", runId));
                Journal(scope, now, "run.cancelled", null, runId, null, JsonSerializer.Serialize(new { @while = "queued", eventId }, KairosJson.Options));
                PublishRunFinished(scope, runId, now);
            }
            scope.Execute("UPDATE events SET cancelled = 1 WHERE id = @id", ("@id", eventId));
            Journal(scope, now, "event.cancelled", null, null, null, JsonSerializer.Serialize(new { eventId, runs = queued.Count }, KairosJson.Options));
            return queued.Count;
        });

    public Task<IReadOnlyList<EnqueueResult>> ReplayEventsAsync(ReplayRequest request, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write<IReadOnlyList<EnqueueResult>>(scope =>
        {
            var subscription = SqliteRows.ReadAll(scope.Command($"SELECT {SubscriptionColumns} FROM subscriptions WHERE name = @name", ("@name", request.Subscription)), ReadSubscription)
                .FirstOrDefault() ?? throw new KairosNotFoundException($"subscription '{request.Subscription}' does not exist");
            var pattern = request.TypePattern is null ? null : EventTypePattern.Parse(request.TypePattern);
            var events = SqliteRows.ReadAll(scope.Command(
                "SELECT id, type, source, data, priority FROM events WHERE published_at >= @from AND published_at < @to ORDER BY id",
                ("@from", Ms(request.From)), ("@to", Ms(request.To))),
                r => (Id: r.GetInt64(0), Request: new EventRequest(r.GetString(1), r.GetString(2)) { Data = SqliteRows.NullableString(r, 3), Priority = r.GetInt32(4) }));
            var runs = new List<EnqueueResult>();
            foreach (var (id, evt) in events.Where(e => pattern is null || pattern.Matches(e.Request.Type)))
            {
                if (Matches(subscription, new EventEnvelope(evt)) && RunFor(scope, subscription, id, evt, now, parent: null) is { } run)
                {
                    runs.Add(run);
                }
            }
            Journal(scope, now, "event.replayed", subscription.Job, null, null, JsonSerializer.Serialize(
                new { subscription = subscription.Name, from = request.From, to = request.To, type = request.TypePattern, runs = runs.Count }, KairosJson.Options));
            return runs;
        });

    private static StoredEvent ReadEvent(SqliteDataReader r)
    {
        var runs = r.GetInt32(8);
        return new StoredEvent(r.GetInt64(0), r.GetString(1), r.GetString(2), SqliteRows.NullableString(r, 3), r.GetInt32(4),
            SqliteRows.NullableString(r, 5), Time(r.GetInt64(6)), Status(r.GetInt64(7) != 0, runs, r.GetInt32(9), r.GetInt32(10), r.GetInt32(11)), runs);
    }

    /// <summary>Pending until a run starts; processing while any is unfinished; then failed if any ended dead, else completed.</summary>
    private static EventStatus Status(bool cancelled, int runs, int notStarted, int active, int dead) =>
        cancelled ? EventStatus.Cancelled
        : runs == 0 ? EventStatus.Completed
        : notStarted == runs ? EventStatus.Pending
        : notStarted + active > 0 ? EventStatus.Processing
        : dead > 0 ? EventStatus.Failed
        : EventStatus.Completed;
}

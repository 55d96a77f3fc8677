using Kairos.Model;

namespace Kairos.Storage.Postgres;

/// <summary>
/// Group commit of enqueues: <see cref="EnqueueAsync"/> calls arriving together are written in one
/// transaction. Plain requests (no idempotency or de-duplication key, a job that does not skip
/// overlapping runs) go in with three statements for the whole batch: ids from the sequence, one
/// INSERT of the runs, one INSERT of their journal entries. The others take the one-by-one path
/// (<see cref="EnqueueInScope"/>) in the same transaction. A request for a job that does not exist
/// fails the batch, which is then written item by item, so only that caller gets the error.
/// </summary>
public sealed partial class PostgresStore
{
    private Task<IReadOnlyList<EnqueueResult>> EnqueueBatchAsync(IReadOnlyList<(RunRequest Request, DateTimeOffset Now)> items) =>
        Write<IReadOnlyList<EnqueueResult>>(async scope =>
        {
            var jobs = (await scope.Query(
                "SELECT name, queue, executor_kind, priority, max_attempts, skip_on_overlap AND max_instances IS NOT NULL, paused FROM jobs WHERE name = ANY(@names)",
                r => (Name: r.GetString(0), Queue: r.GetString(1), Kind: r.GetString(2), Priority: r.GetInt64(3), MaxAttempts: r.GetInt64(4), Skips: r.GetBoolean(5), Paused: r.GetBoolean(6)),
                ("names", items.Select(i => i.Request.JobName).Distinct().ToArray()))).ToDictionary(j => j.Name);

            var results = new EnqueueResult[items.Count];
            var plain = new List<int>();
            for (var i = 0; i < items.Count; i++)
            {
                var (request, now) = items[i];
                if (request.IdempotencyKey is null && request.DedupeKey is null && jobs.TryGetValue(request.JobName, out var job) && !job.Skips)
                {
                    plain.Add(i);
                }
                else
                {
                    results[i] = await EnqueueInScope(scope, request, now); // Throws for a job that does not exist.
                }
            }
            if (plain.Count == 0)
            {
                return results;
            }

            var ids = (await scope.Query(
                "SELECT nextval(pg_get_serial_sequence('runs', 'id')) FROM generate_series(1, @n)", r => r.GetInt64(0), ("n", plain.Count))).Order().ToArray();
            var rows = plain.Select((index, n) => (Id: ids[n], items[index].Request, items[index].Now, Job: jobs[items[index].Request.JobName])).ToList();
            await scope.Execute(
                $"""
                INSERT INTO runs (id, {RunInsertColumns})
                SELECT r.id, r.job, r.queue, r.kind, r.priority, 'queued', r.max_attempts, r.source, r.trigger, r.parent, r.payload, NULL, r.now, r.due,
                       NULL, r.event, r.subscription, r.depth, NULL, r.held
                FROM unnest(@ids, @jobs, @queues, @kinds, @priorities, @maxAttempts, @sources, @triggers::bigint[], @parents::bigint[], @payloads::text[],
                            @nows, @dues, @events::bigint[], @subscriptions::text[], @depths, @held)
                    AS r(id, job, queue, kind, priority, max_attempts, source, trigger, parent, payload, now, due, event, subscription, depth, held)
                """,
                ("ids", ids), ("jobs", rows.Select(r => r.Request.JobName).ToArray()), ("queues", rows.Select(r => r.Job.Queue).ToArray()),
                ("kinds", rows.Select(r => r.Job.Kind).ToArray()), ("priorities", rows.Select(r => (long?)r.Request.Priority ?? r.Job.Priority).ToArray()),
                ("maxAttempts", rows.Select(r => r.Job.MaxAttempts).ToArray()), ("sources", rows.Select(r => r.Request.Source).ToArray()),
                ("triggers", rows.Select(r => r.Request.TriggerId).ToArray()), ("parents", rows.Select(r => r.Request.ParentRunId).ToArray()),
                ("payloads", rows.Select(r => r.Request.Payload).ToArray()), ("nows", rows.Select(r => Ms(r.Now)).ToArray()),
                ("dues", rows.Select(r => Ms(r.Request.NotBefore ?? r.Now)).ToArray()), ("events", rows.Select(r => r.Request.EventId).ToArray()),
                ("subscriptions", rows.Select(r => r.Request.Subscription).ToArray()), ("depths", rows.Select(r => (long)r.Request.ChainDepth).ToArray()),
                ("held", rows.Select(r => r.Job.Paused).ToArray()));
            await JournalMany(scope, rows.Select(r => (r.Now, "run.enqueued", r.Request.JobName, r.Id, r.Request.TriggerId,
                JournalNotes.Enqueued(r.Request, r.Request.NotBefore ?? r.Now, null))).ToList());
            scope.Announce(StoreChanges.Runs);
            for (var n = 0; n < rows.Count; n++)
            {
                results[plain[n]] = new EnqueueResult(rows[n].Id, true, RunState.Queued);
            }
            return results;
        }, CancellationToken.None);
}

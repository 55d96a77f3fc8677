using System.Text.Json;
using Kairos.Events;
using Kairos.Events.Routing;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Storage.Postgres;

/// <summary>The driver's primitives over one PostgreSQL transaction (see <see cref="IDriverTransaction"/>).</summary>
internal sealed partial class PostgresStore
{
    // Every write has a connection of its own: nothing to jump ahead of.
    public Task<T> WriteAsync<T>(Func<IDriverTransaction, ValueTask<T>> rule, CancellationToken cancellationToken, bool urgent = false) =>
        Write(async scope => await rule(new Transaction(this, scope)).ConfigureAwait(false), cancellationToken);

    private sealed partial class Transaction(PostgresStore store, PgScope scope) : IDriverTransaction
    {
        public ValueTask AppendJournalAsync(DateTimeOffset at, string kind, string? jobName, long? runId, long? triggerId, string? data)
        {
            store.Journal(scope, at, kind, jobName, runId, triggerId, data);
            return ValueTask.CompletedTask;
        }

        public ValueTask BeginClaimAsync()
        {
            BeginClaim(scope);
            return ValueTask.CompletedTask;
        }

        public async ValueTask<IReadOnlyList<ClaimCandidate>> ReadClaimCandidatesAsync(DateTimeOffset now, ClaimCandidate? after, int limit) =>
            await ReadClaimCandidates(scope, now, after, limit).ConfigureAwait(false);

        public async ValueTask LockClaimLimitsAsync() => await store.LockClaimLimits(scope).ConfigureAwait(false);

        public async ValueTask<IReadOnlyList<RunningCount>> CountRunningRunsAsync() => await CountRunningRuns(scope).ConfigureAwait(false);

        public async ValueTask<IReadOnlyList<RunRecord>> MarkClaimedAsync(IReadOnlyList<RunStart> starts, string owner, DateTimeOffset leaseExpiresAt) =>
            await MarkClaimed(scope, starts, owner, leaseExpiresAt).ConfigureAwait(false);

        public ValueTask AppendJournalAsync(IReadOnlyList<JournalWrite> entries)
        {
            store.JournalMany(scope, entries);
            return ValueTask.CompletedTask;
        }

        public async ValueTask<IReadOnlyList<RunState>> ListLatestOutcomesAsync(string jobName, int count) =>
            await scope.Query(
                "SELECT state FROM runs WHERE job_name = @job AND state IN ('succeeded', 'dead') ORDER BY id DESC LIMIT @count",
                r => RunStates.Parse(r.GetString(0)), ("job", jobName), ("count", (long)count)).ConfigureAwait(false);

        public async ValueTask<bool> JobExistsAsync(string jobName) =>
            await scope.Scalar("SELECT 1 FROM jobs WHERE name = @name", ("name", jobName)).ConfigureAwait(false) is not null;

        // FOR UPDATE: two nodes saving the same job serialize here, so "created" vs "updated" is decided once.
        public async ValueTask<string?> GetJobDefinitionForUpdateAsync(string jobName) =>
            await scope.Scalar("SELECT definition FROM jobs WHERE name = @name FOR UPDATE", ("name", jobName)).ConfigureAwait(false) as string;

        public async ValueTask<string?> GetJobDefinitionAsync(string jobName) =>
            await scope.Scalar("SELECT definition FROM jobs WHERE name = @name", ("name", jobName)).ConfigureAwait(false) as string;

        public async ValueTask UpsertJobAsync(JobDefinition job, string definition, DateTimeOffset now)
        {
            await scope.Execute(
                """
                INSERT INTO jobs (name, definition, queue, executor_kind, priority, max_attempts, max_instances, skip_on_overlap, paused, version, updated_at, flow, cancel_on)
                VALUES (@name, @definition, @queue, @kind, @priority, @maxAttempts, @maxInstances::bigint, @skip, @paused, 1, @now, @flow::text, @cancelOn::text)
                ON CONFLICT (name) DO UPDATE SET
                    definition = excluded.definition, queue = excluded.queue, executor_kind = excluded.executor_kind,
                    priority = excluded.priority, max_attempts = excluded.max_attempts, max_instances = excluded.max_instances,
                    skip_on_overlap = excluded.skip_on_overlap, paused = excluded.paused, flow = excluded.flow, cancel_on = excluded.cancel_on,
                    version = jobs.version + 1, updated_at = excluded.updated_at
                """,
                ("name", job.Name), ("definition", definition), ("queue", job.Queue), ("kind", job.Executor.Kind),
                ("priority", (long)job.Priority), ("maxAttempts", (long)job.Retry.MaxAttempts), ("maxInstances", (long?)job.Concurrency.MaxInstances),
                ("skip", job.Concurrency.OnOverlap == OverlapPolicy.Skip), ("paused", job.Paused), ("now", Ms(now)),
                ("flow", Engine.Flow.FlowKeys.Stored(job)), ("cancelOn", Engine.Flow.CancelOnEvents.Stored(job))).ConfigureAwait(false);
            scope.Announce(StoreChanges.Jobs | StoreChanges.Triggers | StoreChanges.Runs);
        }

        public async ValueTask<bool> SetJobPausedAsync(string jobName, bool paused, DateTimeOffset now)
        {
            if (await scope.Execute(
                "UPDATE jobs SET paused = @paused, version = version + 1, updated_at = @now WHERE name = @name",
                ("paused", paused), ("now", Ms(now)), ("name", jobName)).ConfigureAwait(false) == 0)
            {
                return false;
            }
            scope.Announce(StoreChanges.Jobs | (paused ? StoreChanges.None : StoreChanges.Runs)); // Resumed: its queued runs can be claimed.
            return true;
        }

        public async ValueTask<IReadOnlyList<string>> ListTriggerKeysAsync(string jobName) =>
            await scope.Query("SELECT key FROM triggers WHERE job_name = @name", r => r.GetString(0), ("name", jobName)).ConfigureAwait(false);

        public async ValueTask DeleteTriggerAsync(string jobName, string key)
        {
            foreach (var table in new[] { "poll_state", "file_state" })
            {
                await scope.Execute($"DELETE FROM {table} WHERE trigger_id IN (SELECT id FROM triggers WHERE job_name = @name AND key = @key)",
                    ("name", jobName), ("key", key)).ConfigureAwait(false);
            }
            await scope.Execute("DELETE FROM triggers WHERE job_name = @name AND key = @key", ("name", jobName), ("key", key)).ConfigureAwait(false);
        }

        public async ValueTask InsertTriggerAsync(string jobName, TriggerRegistration trigger, DateTimeOffset now) =>
            await scope.Execute(
                "INSERT INTO triggers (job_name, key, spec, next_fire_at, created_at) VALUES (@name, @key, @spec, @next::bigint, @now)",
                ("name", jobName), ("key", trigger.Key), ("spec", JsonSerializer.Serialize(trigger.Spec, KairosJson.Options)),
                ("next", Ms(trigger.InitialNextFireAt)), ("now", Ms(now))).ConfigureAwait(false);

        public async ValueTask<JobSettings?> GetJobSettingsAsync(string jobName) =>
            (await GetJobSettingsAsync([jobName]).ConfigureAwait(false)).GetValueOrDefault(jobName);

        public async ValueTask<IReadOnlyDictionary<string, JobSettings>> GetJobSettingsAsync(IReadOnlyCollection<string> jobNames) =>
            (await scope.Query(
                "SELECT name, queue, executor_kind, priority, max_attempts, max_instances, skip_on_overlap, paused, flow FROM jobs WHERE name = ANY(@names)",
                r => (Name: r.GetString(0), Job: new JobSettings(r.GetString(1), r.GetString(2), (int)r.GetInt64(3), (int)r.GetInt64(4),
                    PostgresRows.Long(r, 5) is { } max ? (int)max : null, r.GetBoolean(6), r.GetBoolean(7)) { Flow = r.IsDBNull(8) ? null : r.GetString(8) }),
                ("names", jobNames.ToArray())).ConfigureAwait(false)).ToDictionary(j => j.Name, j => j.Job, StringComparer.Ordinal);

        public async ValueTask LockJobAsync(string jobName) =>
            await scope.Execute("SELECT 1 FROM jobs WHERE name = @name FOR UPDATE", ("name", jobName)).ConfigureAwait(false);

        public async ValueTask<long> CountActiveRunsAsync(string jobName) =>
            (long)(await scope.Scalar("SELECT COUNT(*) FROM runs WHERE job_name = @name AND state IN ('queued', 'running')", ("name", jobName)).ConfigureAwait(false))!;

        public async ValueTask<IReadOnlyList<long>> ListActiveRunIdsAsync(string jobName) =>
            await scope.Query("SELECT id FROM runs WHERE job_name = @name AND state IN ('queued', 'running') ORDER BY id", r => r.GetInt64(0), ("name", jobName))
                .ConfigureAwait(false);

        public async ValueTask<IReadOnlyList<ActiveRun>> ListActiveRunsAsync(string jobName) =>
            await scope.Query("SELECT id, created_at, payload FROM runs WHERE job_name = @name AND state IN ('queued', 'running') ORDER BY id",
                r => new ActiveRun(r.GetInt64(0), Time(r.GetInt64(1)), r.IsDBNull(2) ? null : r.GetString(2)), ("name", jobName)).ConfigureAwait(false);

        public async ValueTask<IReadOnlyList<CancelRules>> ListCancelRulesAsync() =>
            await scope.Query("SELECT name, cancel_on FROM jobs WHERE cancel_on IS NOT NULL", r => new CancelRules(r.GetString(0), r.GetString(1))).ConfigureAwait(false);

        public async ValueTask<bool> DeleteJobAsync(string jobName)
        {
            if (await scope.Execute("DELETE FROM jobs WHERE name = @name", ("name", jobName)).ConfigureAwait(false) == 0)
            {
                return false;
            }
            scope.Announce(StoreChanges.Jobs);
            return true;
        }

        public async ValueTask<IReadOnlyList<TriggerRun>> ListActiveRunsOfTriggerAsync(string jobName, long triggerId) =>
            await scope.Query(
                "SELECT id, state, due_at FROM runs WHERE job_name = @name AND trigger_id = @trigger AND state IN ('queued', 'running') ORDER BY id",
                r => new TriggerRun(r.GetInt64(0), RunStates.Parse(r.GetString(1)), Time(r.GetInt64(2))), ("name", jobName), ("trigger", triggerId)).ConfigureAwait(false);

        public async ValueTask<bool> MoveQueuedRunAsync(long runId, DateTimeOffset from, DateTimeOffset to)
        {
            if (await scope.Execute("UPDATE runs SET due_at = @to WHERE id = @id AND state = 'queued' AND due_at = @from",
                ("to", Ms(to)), ("id", runId), ("from", Ms(from))).ConfigureAwait(false) != 1)
            {
                return false;
            }
            scope.Announce(StoreChanges.Runs);
            return true;
        }

        public async ValueTask<EnqueueResult?> FindRunByIdempotencyKeyAsync(string jobName, string key) =>
            (await scope.Query("SELECT id, state FROM runs WHERE job_name = @name AND idempotency_key = @key", ReadEnqueueResult,
                ("name", jobName), ("key", key)).ConfigureAwait(false)).FirstOrDefault();

        public async ValueTask<EnqueueResult?> FindActiveRunByDedupeKeyAsync(long triggerId, string dedupeKey) =>
            (await scope.Query("SELECT id, state FROM runs WHERE trigger_id = @trigger AND dedupe_key = @key AND state IN ('queued', 'running')",
                ReadEnqueueResult, ("trigger", triggerId), ("key", dedupeKey)).ConfigureAwait(false)).FirstOrDefault();

        private static EnqueueResult? ReadEnqueueResult(Npgsql.NpgsqlDataReader r) => new(r.GetInt64(0), false, RunStates.Parse(r.GetString(1)));

        public async ValueTask<long?> InsertRunFromJobAsync(RunRequest request, DateTimeOffset now) =>
            await InsertRunFromJob(scope, request, now).ConfigureAwait(false);

        public async ValueTask<long?> InsertRunAsync(NewRun run) => await InsertRun(scope, run).ConfigureAwait(false);

        public async ValueTask<IReadOnlyList<long>> InsertRunsAsync(IReadOnlyList<NewRun> runs) => await InsertRuns(scope, runs).ConfigureAwait(false);

        public async ValueTask<RunRecord?> GetRunAsync(long runId) =>
            (await scope.Query($"SELECT {PostgresRows.RunColumns} FROM runs WHERE id = @id", PostgresRows.Run, ("id", runId)).ConfigureAwait(false)).FirstOrDefault();

        private const string SummaryColumns = "id, job_name, trigger_id, state, attempt, max_attempts";

        private static RunSummary ReadSummary(Npgsql.NpgsqlDataReader r) =>
            new(r.GetInt64(0), r.GetString(1), PostgresRows.Long(r, 2), RunStates.Parse(r.GetString(3)), (int)r.GetInt64(4), (int)r.GetInt64(5));

        public async ValueTask<RunSummary?> GetRunSummaryAsync(long runId) =>
            (await scope.Query($"SELECT {SummaryColumns} FROM runs WHERE id = @id FOR UPDATE", ReadSummary, ("id", runId)).ConfigureAwait(false)).FirstOrDefault();

        public async ValueTask<RunSummary?> GetRunningRunAsync(long runId, string owner) =>
            (await scope.Query($"SELECT {SummaryColumns} FROM runs WHERE id = @id AND state = 'running' AND lease_owner = @owner FOR UPDATE",
                ReadSummary, ("id", runId), ("owner", owner)).ConfigureAwait(false)).FirstOrDefault();

        // SKIP LOCKED: a run another node is completing or rescuing right now is left to it.
        public async ValueTask<IReadOnlyList<RunSummary>> ListExpiredRunsAsync(DateTimeOffset now) =>
            await scope.Query($"SELECT {SummaryColumns} FROM runs WHERE state = 'running' AND lease_expires_at < @now ORDER BY id FOR UPDATE SKIP LOCKED",
                ReadSummary, ("now", Ms(now))).ConfigureAwait(false);

        public async ValueTask RequeueRunAsync(long runId, DateTimeOffset dueAt, string error)
        {
            await scope.Execute(
                "UPDATE runs SET state = 'queued', error = @error, due_at = @due, finished_at = NULL, lease_owner = NULL, lease_expires_at = NULL WHERE id = @id",
                ("error", error), ("due", Ms(dueAt)), ("id", runId)).ConfigureAwait(false);
            scope.Announce(StoreChanges.Runs);
        }

        public async ValueTask UnclaimRunAsync(long runId)
        {
            await scope.Execute(
                "UPDATE runs SET state = 'queued', attempt = attempt - 1, started_at = NULL, lease_owner = NULL, lease_expires_at = NULL WHERE id = @id",
                ("id", runId)).ConfigureAwait(false);
            scope.Announce(StoreChanges.Runs);
        }

        public async ValueTask FinishRunAsync(long runId, RunState state, string error, DateTimeOffset at) =>
            await scope.Execute(
                "UPDATE runs SET state = @state, error = @error, finished_at = @at, lease_owner = NULL, lease_expires_at = NULL WHERE id = @id",
                ("state", state.ToWire()), ("error", error), ("at", Ms(at)), ("id", runId)).ConfigureAwait(false);

        public async ValueTask<IReadOnlyList<CompletedRun?>> CompleteRunsAsync(IReadOnlyList<RunCompletion> completions, IReadOnlyList<RunState> states) =>
            await CompleteRuns(scope, completions, states).ConfigureAwait(false);

        public ValueTask AppendRunLogsAsync(IReadOnlyList<(long RunId, RunLogLine Line)> lines)
        {
            InsertLogs(scope, lines);
            return ValueTask.CompletedTask;
        }

        public async ValueTask RequestCancelAsync(long runId)
        {
            await scope.Execute("UPDATE runs SET cancel_requested = true WHERE id = @id", ("id", runId)).ConfigureAwait(false);
            scope.Announce(StoreChanges.Cancels); // The node running it stops it at once.
        }

        public async ValueTask<RunRecord> ReopenRunAsync(long runId, DateTimeOffset dueAt, int maxAttempts)
        {
            var run = (await scope.Query(
                $"""
                UPDATE runs SET state = 'queued', due_at = @due, finished_at = NULL, max_attempts = @max, cancel_requested = false
                WHERE id = @id RETURNING {PostgresRows.RunColumns}
                """,
                PostgresRows.Run, ("due", Ms(dueAt)), ("max", (long)maxAttempts), ("id", runId)).ConfigureAwait(false)).Single();
            scope.Announce(StoreChanges.Runs);
            return run;
        }

        public async ValueTask<Subscription?> GetSubscriptionForUpdateAsync(string name) =>
            (await scope.Query($"SELECT {SubscriptionColumns} FROM subscriptions WHERE name = @name FOR UPDATE", ReadSubscription, ("name", name)).ConfigureAwait(false))
                .FirstOrDefault();

        public async ValueTask UpsertSubscriptionAsync(Subscription s, DateTimeOffset now) =>
            await scope.Execute(
                """
                INSERT INTO subscriptions (name, pattern, filter, job_name, active, max_depth, owner_job, updated_at)
                VALUES (@name, @pattern, @filter, @job, @active, @depth::bigint, @owner::text, @now)
                ON CONFLICT (name) DO UPDATE SET pattern = excluded.pattern, filter = excluded.filter, job_name = excluded.job_name,
                    active = excluded.active, max_depth = excluded.max_depth, owner_job = excluded.owner_job, updated_at = excluded.updated_at
                """,
                ("name", s.Name), ("pattern", s.Pattern), ("filter", s.Filter), ("job", s.Job), ("active", s.Active),
                ("depth", (long?)s.MaxDepth), ("owner", s.OwnerJob), ("now", Ms(now))).ConfigureAwait(false);

        public async ValueTask<bool> DeleteSubscriptionAsync(string name) =>
            await scope.Execute("DELETE FROM subscriptions WHERE name = @name", ("name", name)).ConfigureAwait(false) > 0;

        public async ValueTask<IReadOnlyList<string>> ListOwnedSubscriptionNamesAsync(string ownerJob) =>
            await scope.Query("SELECT name FROM subscriptions WHERE owner_job = @owner FOR UPDATE", r => r.GetString(0), ("owner", ownerJob)).ConfigureAwait(false);

        public async ValueTask<string?> GetWebhookDefinitionForUpdateAsync(string name) =>
            await scope.Scalar("SELECT definition FROM webhooks WHERE name = @name FOR UPDATE", ("name", name)).ConfigureAwait(false) as string;

        public async ValueTask UpsertWebhookAsync(string name, string definition, DateTimeOffset now) =>
            await scope.Execute(
                "INSERT INTO webhooks (name, definition, updated_at) VALUES (@name, @definition, @now) " +
                "ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at",
                ("name", name), ("definition", definition), ("now", Ms(now))).ConfigureAwait(false);

        public async ValueTask<bool> DeleteWebhookAsync(string name)
        {
            var deleted = await scope.Execute("DELETE FROM webhooks WHERE name = @name", ("name", name)).ConfigureAwait(false) > 0;
            await scope.Execute("DELETE FROM webhook_deliveries WHERE hook = @name", ("name", name)).ConfigureAwait(false);
            return deleted;
        }

        public async ValueTask<IReadOnlyList<Subscription>> ListActiveSubscriptionsAsync() =>
            await ActiveSubscriptions(scope).ConfigureAwait(false);

        public async ValueTask<long?> FindEventByIdempotencyKeyAsync(string key) =>
            await scope.Scalar("SELECT id FROM events WHERE idempotency_key = @key", ("key", key)).ConfigureAwait(false) as long?;

        public async ValueTask<IReadOnlyList<EnqueueResult>> ListRunsOfEventAsync(long eventId) =>
            await scope.Query("SELECT id, state FROM runs WHERE event_id = @id ORDER BY id",
                r => new EnqueueResult(r.GetInt64(0), false, RunStates.Parse(r.GetString(1))), ("id", eventId)).ConfigureAwait(false);

        public async ValueTask<long> InsertEventAsync(EventRequest request, DateTimeOffset publishedAt) =>
            (long)(await scope.Scalar(
                "INSERT INTO events (type, source, data, priority, idempotency_key, published_at) VALUES (@type, @source, @data::text, @priority, @key::text, @now) RETURNING id",
                ("type", request.Type), ("source", request.Source), ("data", request.Data), ("priority", (long)request.Priority),
                ("key", request.IdempotencyKey), ("now", Ms(publishedAt))).ConfigureAwait(false))!;

        // The event first, then its runs, so a claim cannot start one of them meanwhile.
        public async ValueTask<StoredEvent?> GetEventForUpdateAsync(long eventId)
        {
            if (await scope.Scalar("SELECT 1 FROM events WHERE id = @id FOR UPDATE", ("id", eventId)).ConfigureAwait(false) is null)
            {
                return null;
            }
            await scope.Execute("SELECT 1 FROM runs WHERE event_id = @id FOR UPDATE", ("id", eventId)).ConfigureAwait(false);
            return (await scope.Query($"SELECT {EventColumns} FROM events e LEFT JOIN runs r ON r.event_id = e.id WHERE e.id = @id GROUP BY e.id",
                ReadEvent, ("id", eventId)).ConfigureAwait(false)).Single();
        }

        public async ValueTask MarkEventCancelledAsync(long eventId) =>
            await scope.Execute("UPDATE events SET cancelled = true WHERE id = @id", ("id", eventId)).ConfigureAwait(false);

        public async ValueTask MarkEventRoutingFailedAsync(long eventId) =>
            await scope.Execute("UPDATE events SET routing_failed = true WHERE id = @id", ("id", eventId)).ConfigureAwait(false);

        // The conditional UPDATE takes the row lock: a second node firing the same tick waits, then
        // (READ COMMITTED re-checks the condition) finds next_fire_at moved and updates nothing.
        public async ValueTask<string?> AdvanceTriggerAsync(long triggerId, DateTimeOffset expected, DateTimeOffset? next, DateTimeOffset firedAt) =>
            await scope.Scalar(
                "UPDATE triggers SET next_fire_at = @next::bigint, last_fire_at = @now WHERE id = @id AND next_fire_at = @expected RETURNING job_name",
                ("next", Ms(next)), ("now", Ms(firedAt)), ("id", triggerId), ("expected", Ms(expected))).ConfigureAwait(false) as string;

        public async ValueTask<string?> GetTriggerJobAsync(long triggerId) =>
            await scope.Scalar("SELECT job_name FROM triggers WHERE id = @id", ("id", triggerId)).ConfigureAwait(false) as string;

        // A concurrent recording of the same state waits for this row, then finds nothing to change.
        public async ValueTask<bool> RememberFileAsync(long triggerId, FileSnapshot file) =>
            await scope.Execute(
                "INSERT INTO file_state (trigger_id, path, size, mtime) VALUES (@id, @path, @size, @mtime) " +
                "ON CONFLICT (trigger_id, path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime " +
                "WHERE file_state.size <> excluded.size OR file_state.mtime <> excluded.mtime",
                ("id", triggerId), ("path", file.Path), ("size", file.Size), ("mtime", Ms(file.ModifiedAt))).ConfigureAwait(false) > 0;

        public async ValueTask<bool> ForgetFileAsync(long triggerId, string path) =>
            await scope.Execute("DELETE FROM file_state WHERE trigger_id = @id AND path = @path", ("id", triggerId), ("path", path)).ConfigureAwait(false) > 0;

        public async ValueTask SavePollStateAsync(long triggerId, PollState state) =>
            await scope.Execute(
                "INSERT INTO poll_state (trigger_id, last_poll_at, failures, state) VALUES (@id, @at::bigint, @failures, @state::text) " +
                "ON CONFLICT (trigger_id) DO UPDATE SET last_poll_at = excluded.last_poll_at, failures = excluded.failures, state = excluded.state",
                ("id", triggerId), ("at", Ms(state.LastPollAt)), ("failures", (long)state.Failures), ("state", state.Data)).ConfigureAwait(false);

        public async ValueTask SaveNodeAsync(NodeInfo node, DateTimeOffset now) =>
            await scope.Execute(
                """
                INSERT INTO nodes (id, host, version, started_at, last_seen_at) VALUES (@id, @host, @version, @started, @now)
                ON CONFLICT (id) DO UPDATE SET last_seen_at = excluded.last_seen_at, host = excluded.host, version = excluded.version
                """,
                ("id", node.Id), ("host", node.Host), ("version", node.Version), ("started", Ms(node.StartedAt)), ("now", Ms(now))).ConfigureAwait(false);

        public async ValueTask<int> ForgetNodesSeenBeforeAsync(DateTimeOffset before) =>
            await scope.Execute("DELETE FROM nodes WHERE last_seen_at < @forget", ("forget", Ms(before))).ConfigureAwait(false);

        public async ValueTask ForgetNodeAsync(string nodeId) =>
            await scope.Execute("DELETE FROM nodes WHERE id = @id", ("id", nodeId)).ConfigureAwait(false);

        public async ValueTask<(bool Taken, string? Previous)> TakeLeaseAsync(string name, string node, DateTimeOffset now, DateTimeOffset until) =>
            await TakeLease(scope, name, node, now, until).ConfigureAwait(false);

        public async ValueTask<bool> ReleaseLeaseAsync(string name, string node)
        {
            if (await scope.Execute("DELETE FROM leadership WHERE name = @name AND node = @id", ("name", name), ("id", node)).ConfigureAwait(false) == 0)
            {
                return false;
            }
            scope.Announce(StoreChanges.Leadership); // The others bid for it at once.
            return true;
        }

        public async ValueTask<IReadOnlyList<TriggerBinding>> ListTriggersAsync(string source) =>
            await scope.Query(
                "SELECT t.job_name, t.spec, j.paused FROM triggers t JOIN jobs j ON j.name = t.job_name WHERE t.key LIKE @prefix ORDER BY t.job_name COLLATE \"C\", t.id",
                r => new TriggerBinding(r.GetString(0), JsonSerializer.Deserialize<TriggerSpec>(r.GetString(1), KairosJson.Options)!, r.GetBoolean(2)),
                ("prefix", source + ":%")).ConfigureAwait(false);

        public async ValueTask<bool> RememberDeliveryIdAsync(string hook, string deliveryId, DateTimeOffset windowStart, DateTimeOffset forgetBefore)
        {
            await scope.Execute("DELETE FROM webhook_deliveries WHERE hook = @hook AND received_at < @horizon", ("hook", hook), ("horizon", Ms(forgetBefore))).ConfigureAwait(false);
            // ON CONFLICT DO NOTHING: the same delivery reaching two nodes at once is recorded by one of
            // them only (the second waits on the first's insert, then sees the conflict).
            return await scope.Execute("INSERT INTO webhook_deliveries (hook, delivery_id, received_at) VALUES (@hook, @id, @now) ON CONFLICT DO NOTHING",
                ("hook", hook), ("id", deliveryId), ("now", Ms(windowStart))).ConfigureAwait(false) == 1;
        }
    }
}

using System.Text.Json;
using Kairos.Events;
using Kairos.Engine.Lifecycle;
using Kairos.Events.Routing;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Storage.Sqlite;

/// <summary>The driver's primitives over one write of the single writer (see <see cref="IDriverTransaction"/>).</summary>
internal sealed partial class SqliteStore
{
    /// <summary>Runs a Core rule on the writer thread: every primitive completes synchronously, so the rule does too.</summary>
    private static T Completed<T>(ValueTask<T> rule) => SynchronousRule.Result(rule, "SQLite driver");

    public Task<T> WriteAsync<T>(Func<IDriverTransaction, ValueTask<T>> rule, CancellationToken cancellationToken, bool urgent = false) =>
        Write(scope => Completed(rule(new Transaction(this, scope))), urgent);

    private sealed partial class Transaction(SqliteStore store, SqliteWriteScope scope) : IDriverTransaction
    {
        public ValueTask AppendJournalAsync(DateTimeOffset at, string kind, string? jobName, long? runId, long? triggerId, string? data)
        {
            store.Journal(scope, at, kind, jobName, runId, triggerId, data);
            return ValueTask.CompletedTask;
        }

        public ValueTask BeginClaimAsync() => ValueTask.CompletedTask;

        public ValueTask<IReadOnlyList<ClaimCandidate>> ReadClaimCandidatesAsync(DateTimeOffset now, ClaimCandidate? after, int limit) =>
            ValueTask.FromResult<IReadOnlyList<ClaimCandidate>>(ReadClaimCandidates(scope, now, after, limit));

        // The single writer already makes claims take turns.
        public ValueTask LockClaimLimitsAsync() => ValueTask.CompletedTask;

        public ValueTask<IReadOnlyList<RunningCount>> CountRunningRunsAsync() =>
            ValueTask.FromResult<IReadOnlyList<RunningCount>>(CountRunningRuns(scope));

        public ValueTask<IReadOnlyList<RunRecord>> MarkClaimedAsync(IReadOnlyList<RunStart> starts, string owner, DateTimeOffset leaseExpiresAt) =>
            ValueTask.FromResult<IReadOnlyList<RunRecord>>(MarkClaimed(scope, starts, owner, leaseExpiresAt));

        public ValueTask AppendJournalAsync(IReadOnlyList<JournalWrite> entries)
        {
            store.JournalMany(scope, entries);
            return ValueTask.CompletedTask;
        }

        public ValueTask<IReadOnlyList<RunState>> ListLatestOutcomesAsync(string jobName, int count) =>
            ValueTask.FromResult<IReadOnlyList<RunState>>(scope.Query(
                "SELECT state FROM runs WHERE job_name = @job AND state IN ('succeeded', 'dead') ORDER BY id DESC LIMIT @count",
                r => SqliteRows.State(r.Text(0)), ("@job", jobName), ("@count", count)));

        public ValueTask<bool> JobExistsAsync(string jobName) =>
            ValueTask.FromResult(scope.Scalar("SELECT 1 FROM jobs WHERE name = @name", ("@name", jobName)) is not null);

        // One writer at a time: every read in a write is already exclusive.
        public ValueTask<string?> GetJobDefinitionForUpdateAsync(string jobName) => GetJobDefinitionAsync(jobName);

        public ValueTask<string?> GetJobDefinitionAsync(string jobName) =>
            ValueTask.FromResult(scope.Scalar("SELECT definition FROM jobs WHERE name = @name", ("@name", jobName)) as string);

        public ValueTask UpsertJobAsync(JobDefinition job, string definition, DateTimeOffset now)
        {
            UpsertJob(scope, job, definition, now);
            return ValueTask.CompletedTask;
        }

        public ValueTask<bool> SetJobPausedAsync(string jobName, bool paused, DateTimeOffset now) =>
            ValueTask.FromResult(scope.Execute(
                "UPDATE jobs SET paused = @paused, version = version + 1, updated_at = @now WHERE name = @name",
                ("@paused", paused ? 1 : 0), ("@now", Ms(now)), ("@name", jobName)) > 0);

        public ValueTask<IReadOnlyList<string>> ListTriggerKeysAsync(string jobName) =>
            ValueTask.FromResult<IReadOnlyList<string>>(scope.Query("SELECT key FROM triggers WHERE job_name = @name", r => r.Text(0), ("@name", jobName)));

        public ValueTask DeleteTriggerAsync(string jobName, string key)
        {
            DeleteTrigger(scope, jobName, key);
            return ValueTask.CompletedTask;
        }

        public ValueTask InsertTriggerAsync(string jobName, TriggerRegistration trigger, DateTimeOffset now)
        {
            InsertTrigger(scope, jobName, trigger, now);
            return ValueTask.CompletedTask;
        }

        public ValueTask<JobSettings?> GetJobSettingsAsync(string jobName) =>
            ValueTask.FromResult(scope.Query(
                "SELECT queue, executor_kind, priority, max_attempts, max_instances, skip_on_overlap, paused, flow FROM jobs WHERE name = @name",
                ReadJobSettings, ("@name", jobName)).FirstOrDefault());

        public ValueTask<IReadOnlyDictionary<string, JobSettings>> GetJobSettingsAsync(IReadOnlyCollection<string> jobNames)
        {
            var found = new Dictionary<string, JobSettings>(StringComparer.Ordinal);
            foreach (var name in jobNames)
            {
                if (Completed(GetJobSettingsAsync(name)) is { } job)
                {
                    found[name] = job;
                }
            }
            return ValueTask.FromResult<IReadOnlyDictionary<string, JobSettings>>(found);
        }

        private static JobSettings? ReadJobSettings(SqliteStatement r) =>
            new(r.Text(0), r.Text(1), (int)r.Int64(2), (int)r.Int64(3), r.IsNull(4) ? null : (int)r.Int64(4), r.Int64(5) != 0, r.Int64(6) != 0)
            {
                Flow = r.IsNull(7) ? null : r.Text(7),
            };

        // The single writer already takes decisions one at a time.
        public ValueTask LockJobAsync(string jobName) => ValueTask.CompletedTask;

        public ValueTask<long> CountActiveRunsAsync(string jobName) =>
            ValueTask.FromResult((long)scope.Scalar("SELECT COUNT(*) FROM runs WHERE job_name = @name AND state IN ('queued', 'running')", ("@name", jobName))!);

        public ValueTask<IReadOnlyList<long>> ListActiveRunIdsAsync(string jobName) =>
            ValueTask.FromResult<IReadOnlyList<long>>(scope.Query(
                "SELECT id FROM runs WHERE job_name = @name AND state IN ('queued', 'running') ORDER BY id", r => r.Int64(0), ("@name", jobName)).ToList());

        public ValueTask<IReadOnlyList<ActiveRun>> ListActiveRunsAsync(string jobName) =>
            ValueTask.FromResult<IReadOnlyList<ActiveRun>>(scope.Query(
                "SELECT id, created_at, payload FROM runs WHERE job_name = @name AND state IN ('queued', 'running') ORDER BY id",
                r => new ActiveRun(r.Int64(0), Time(r.Int64(1)), r.IsNull(2) ? null : r.Text(2)), ("@name", jobName)).ToList());

        public ValueTask<IReadOnlyList<CancelRules>> ListCancelRulesAsync() =>
            ValueTask.FromResult<IReadOnlyList<CancelRules>>(scope.Query(
                "SELECT name, cancel_on FROM jobs INDEXED BY ix_jobs_cancel_on WHERE cancel_on IS NOT NULL", r => new CancelRules(r.Text(0), r.Text(1))).ToList());

        public ValueTask<bool> DeleteJobAsync(string jobName) =>
            ValueTask.FromResult(scope.Execute("DELETE FROM jobs WHERE name = @name", ("@name", jobName)) > 0);

        public ValueTask<IReadOnlyList<TriggerRun>> ListActiveRunsOfTriggerAsync(string jobName, long triggerId) =>
            ValueTask.FromResult<IReadOnlyList<TriggerRun>>(scope.Query(
                "SELECT id, state, due_at FROM runs WHERE job_name = @name AND trigger_id = @trigger AND state IN ('queued', 'running') ORDER BY id",
                r => new TriggerRun(r.Int64(0), RunStates.Parse(r.Text(1)), Time(r.Int64(2))), ("@name", jobName), ("@trigger", triggerId)).ToList());

        public ValueTask<bool> MoveQueuedRunAsync(long runId, DateTimeOffset from, DateTimeOffset to) =>
            ValueTask.FromResult(scope.Execute("UPDATE runs SET due_at = @to WHERE id = @id AND state = 'queued' AND due_at = @from",
                ("@to", Ms(to)), ("@id", runId), ("@from", Ms(from))) == 1);

        public ValueTask<EnqueueResult?> FindRunByIdempotencyKeyAsync(string jobName, string key) =>
            ValueTask.FromResult(scope.Query("SELECT id, state FROM runs WHERE job_name = @name AND idempotency_key = @key", ReadEnqueueResult,
                ("@name", jobName), ("@key", key)).FirstOrDefault());

        public ValueTask<EnqueueResult?> FindActiveRunByDedupeKeyAsync(long triggerId, string dedupeKey) =>
            ValueTask.FromResult(scope.Query("SELECT id, state FROM runs WHERE trigger_id = @trigger AND dedupe_key = @key AND state IN ('queued', 'running')",
                ReadEnqueueResult, ("@trigger", triggerId), ("@key", dedupeKey)).FirstOrDefault());

        private static EnqueueResult? ReadEnqueueResult(SqliteStatement r) => new(r.Int64(0), false, RunStates.Parse(r.Text(1)));

        // Keys were looked up first in this transaction, and the single writer lets no other in between.
        public ValueTask<long?> InsertRunFromJobAsync(RunRequest request, DateTimeOffset now) =>
            ValueTask.FromResult(InsertRunFromJob(scope, request, now));

        public ValueTask<long?> InsertRunAsync(NewRun run) => ValueTask.FromResult<long?>(InsertRun(scope, run));

        public ValueTask<IReadOnlyList<long>> InsertRunsAsync(IReadOnlyList<NewRun> runs) =>
            ValueTask.FromResult<IReadOnlyList<long>>(runs.Select(run => InsertRun(scope, run)
                ?? throw new InvalidOperationException("InsertRunsAsync takes runs without idempotency keys")).ToList());

        public ValueTask<RunRecord?> GetRunAsync(long runId) =>
            ValueTask.FromResult(SqliteRows.ReadAll(scope.Command($"SELECT {SqliteRows.RunColumns} FROM runs WHERE id = @id", ("@id", runId)), r => SqliteRows.Run(r))
                .FirstOrDefault());

        private const string SummaryColumns = "id, job_name, trigger_id, state, attempt, max_attempts";

        private static RunSummary ReadSummary(SqliteStatement r) =>
            new(r.Int64(0), r.Text(1), r.IsNull(2) ? null : r.Int64(2), RunStates.Parse(r.Text(3)), (int)r.Int64(4), (int)r.Int64(5));

        // The single writer holds every row until the write commits.
        public ValueTask<RunSummary?> GetRunSummaryAsync(long runId) =>
            ValueTask.FromResult<RunSummary?>(scope.Query($"SELECT {SummaryColumns} FROM runs WHERE id = @id", ReadSummary, ("@id", runId)).FirstOrDefault());

        public ValueTask<RunSummary?> GetRunningRunAsync(long runId, string owner) =>
            ValueTask.FromResult<RunSummary?>(scope.Query($"SELECT {SummaryColumns} FROM runs WHERE id = @id AND state = 'running' AND lease_owner = @owner",
                ReadSummary, ("@id", runId), ("@owner", owner)).FirstOrDefault());

        public ValueTask<IReadOnlyList<RunSummary>> ListExpiredRunsAsync(DateTimeOffset now) =>
            ValueTask.FromResult<IReadOnlyList<RunSummary>>(scope.Query(
                $"SELECT {SummaryColumns} FROM runs WHERE state = 'running' AND lease_expires_at < @now ORDER BY id", ReadSummary, ("@now", Ms(now))));

        public ValueTask RequeueRunAsync(long runId, DateTimeOffset dueAt, string error)
        {
            scope.Execute(
                "UPDATE runs SET state = 'queued', error = @error, due_at = @due, finished_at = NULL, lease_owner = NULL, lease_expires_at = NULL WHERE id = @id",
                ("@error", error), ("@due", Ms(dueAt)), ("@id", runId));
            return ValueTask.CompletedTask;
        }

        public ValueTask UnclaimRunAsync(long runId)
        {
            scope.Execute(
                "UPDATE runs SET state = 'queued', attempt = attempt - 1, started_at = NULL, lease_owner = NULL, lease_expires_at = NULL WHERE id = @id",
                ("@id", runId));
            return ValueTask.CompletedTask;
        }

        public ValueTask FinishRunAsync(long runId, RunState state, string error, DateTimeOffset at)
        {
            scope.Execute(
                "UPDATE runs SET state = @state, error = @error, finished_at = @at, lease_owner = NULL, lease_expires_at = NULL WHERE id = @id",
                ("@state", state.ToWire()), ("@error", error), ("@at", Ms(at)), ("@id", runId));
            return ValueTask.CompletedTask;
        }

        public ValueTask<IReadOnlyList<CompletedRun?>> CompleteRunsAsync(IReadOnlyList<RunCompletion> completions, IReadOnlyList<RunState> states) =>
            ValueTask.FromResult<IReadOnlyList<CompletedRun?>>(completions.Select((c, i) => CompleteRun(scope, c, states[i])).ToList());

        public ValueTask AppendRunLogsAsync(IReadOnlyList<(long RunId, RunLogLine Line)> lines)
        {
            foreach (var (runId, line) in lines)
            {
                InsertLog(scope, runId, [line]);
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask RequestCancelAsync(long runId)
        {
            scope.Execute("UPDATE runs SET cancel_requested = 1 WHERE id = @id", ("@id", runId));
            return ValueTask.CompletedTask;
        }

        public ValueTask<RunRecord> ReopenRunAsync(long runId, DateTimeOffset dueAt, int maxAttempts)
        {
            using var reader = scope.Command(
                $"""
                UPDATE runs SET state = 'queued', due_at = @due, finished_at = NULL, max_attempts = @max, cancel_requested = 0
                WHERE id = @id RETURNING {SqliteRows.RunColumns}
                """,
                ("@due", Ms(dueAt)), ("@max", maxAttempts), ("@id", runId)).ExecuteReader();
            reader.Read();
            return ValueTask.FromResult(SqliteRows.Run(reader));
        }

        public ValueTask<Subscription?> GetSubscriptionForUpdateAsync(string name) =>
            ValueTask.FromResult(SqliteRows.ReadAll(scope.Command($"SELECT {SubscriptionColumns} FROM subscriptions WHERE name = @name", ("@name", name)), ReadSubscription)
                .FirstOrDefault());

        public ValueTask UpsertSubscriptionAsync(Subscription subscription, DateTimeOffset now)
        {
            store.UpsertSubscription(scope, subscription, now);
            return ValueTask.CompletedTask;
        }

        public ValueTask<bool> DeleteSubscriptionAsync(string name) => ValueTask.FromResult(store.DeleteSubscription(scope, name));

        public ValueTask<IReadOnlyList<string>> ListOwnedSubscriptionNamesAsync(string ownerJob) =>
            ValueTask.FromResult<IReadOnlyList<string>>(scope.Query("SELECT name FROM subscriptions WHERE owner_job = @owner", r => r.Text(0), ("@owner", ownerJob)));

        public ValueTask<string?> GetWebhookDefinitionForUpdateAsync(string name) =>
            ValueTask.FromResult(scope.Scalar("SELECT definition FROM webhooks WHERE name = @name", ("@name", name)) as string);

        public ValueTask UpsertWebhookAsync(string name, string definition, DateTimeOffset now)
        {
            scope.Execute(
                "INSERT INTO webhooks (name, definition, updated_at) VALUES (@name, @definition, @now) " +
                "ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at",
                ("@name", name), ("@definition", definition), ("@now", Ms(now)));
            return ValueTask.CompletedTask;
        }

        public ValueTask<bool> DeleteWebhookAsync(string name)
        {
            var deleted = scope.Execute("DELETE FROM webhooks WHERE name = @name", ("@name", name)) > 0;
            scope.Execute("DELETE FROM webhook_deliveries WHERE hook = @name", ("@name", name));
            return ValueTask.FromResult(deleted);
        }

        public ValueTask<IReadOnlyList<Subscription>> ListActiveSubscriptionsAsync() =>
            ValueTask.FromResult<IReadOnlyList<Subscription>>(store.ActiveSubscriptions(scope));

        public ValueTask<long?> FindEventByIdempotencyKeyAsync(string key) =>
            ValueTask.FromResult(scope.Scalar("SELECT id FROM events WHERE idempotency_key = @key", ("@key", key)) as long?);

        public ValueTask<IReadOnlyList<EnqueueResult>> ListRunsOfEventAsync(long eventId) =>
            ValueTask.FromResult<IReadOnlyList<EnqueueResult>>(SqliteRows.ReadAll(
                scope.Command("SELECT id, state FROM runs WHERE event_id = @id ORDER BY id", ("@id", eventId)),
                r => new EnqueueResult(r.GetInt64(0), false, RunStates.Parse(r.GetString(1)))));

        public ValueTask<long> InsertEventAsync(EventRequest request, DateTimeOffset publishedAt) =>
            ValueTask.FromResult((long)scope.Scalar(
                "INSERT INTO events (type, source, data, priority, idempotency_key, published_at) VALUES (@type, @source, @data, @priority, @key, @now) RETURNING id",
                ("@type", request.Type), ("@source", request.Source), ("@data", request.Data), ("@priority", request.Priority),
                ("@key", request.IdempotencyKey), ("@now", Ms(publishedAt)))!);

        public ValueTask<StoredEvent?> GetEventForUpdateAsync(long eventId) =>
            ValueTask.FromResult(SqliteRows.ReadAll(
                scope.Command($"SELECT {EventColumns} FROM events e LEFT JOIN runs r ON r.event_id = e.id WHERE e.id = @id GROUP BY e.id", ("@id", eventId)),
                ReadEvent).FirstOrDefault());

        public ValueTask MarkEventCancelledAsync(long eventId)
        {
            scope.Execute("UPDATE events SET cancelled = 1 WHERE id = @id", ("@id", eventId));
            return ValueTask.CompletedTask;
        }

        public ValueTask MarkEventRoutingFailedAsync(long eventId)
        {
            scope.Execute("UPDATE events SET routing_failed = 1 WHERE id = @id", ("@id", eventId));
            return ValueTask.CompletedTask;
        }

        public ValueTask<string?> AdvanceTriggerAsync(long triggerId, DateTimeOffset expected, DateTimeOffset? next, DateTimeOffset firedAt) =>
            ValueTask.FromResult(scope.Scalar(
                "UPDATE triggers SET next_fire_at = @next, last_fire_at = @now WHERE id = @id AND next_fire_at = @expected RETURNING job_name",
                ("@next", Ms(next)), ("@now", Ms(firedAt)), ("@id", triggerId), ("@expected", Ms(expected))) as string);

        public ValueTask<string?> GetTriggerJobAsync(long triggerId) =>
            ValueTask.FromResult(scope.Scalar("SELECT job_name FROM triggers WHERE id = @id", ("@id", triggerId)) as string);

        public ValueTask<bool> RememberFileAsync(long triggerId, FileSnapshot file) =>
            ValueTask.FromResult(scope.Execute(
                "INSERT INTO file_state (trigger_id, path, size, mtime) VALUES (@id, @path, @size, @mtime) " +
                "ON CONFLICT (trigger_id, path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime " +
                "WHERE file_state.size <> excluded.size OR file_state.mtime <> excluded.mtime",
                ("@id", triggerId), ("@path", file.Path), ("@size", file.Size), ("@mtime", Ms(file.ModifiedAt))) > 0);

        public ValueTask<bool> ForgetFileAsync(long triggerId, string path) =>
            ValueTask.FromResult(scope.Execute("DELETE FROM file_state WHERE trigger_id = @id AND path = @path", ("@id", triggerId), ("@path", path)) > 0);

        public ValueTask SavePollStateAsync(long triggerId, PollState state)
        {
            scope.Execute(
                "INSERT INTO poll_state (trigger_id, last_poll_at, failures, state) VALUES (@id, @at, @failures, @state) " +
                "ON CONFLICT (trigger_id) DO UPDATE SET last_poll_at = excluded.last_poll_at, failures = excluded.failures, state = excluded.state",
                ("@id", triggerId), ("@at", Ms(state.LastPollAt)), ("@failures", state.Failures), ("@state", state.Data));
            return ValueTask.CompletedTask;
        }

        public ValueTask SaveNodeAsync(NodeInfo node, DateTimeOffset now)
        {
            SaveNode(scope, node, now);
            return ValueTask.CompletedTask;
        }

        public ValueTask<int> ForgetNodesSeenBeforeAsync(DateTimeOffset before) =>
            ValueTask.FromResult(scope.Execute("DELETE FROM nodes WHERE last_seen_at < @forget", ("@forget", Ms(before))));

        public ValueTask ForgetNodeAsync(string nodeId)
        {
            scope.Execute("DELETE FROM nodes WHERE id = @id", ("@id", nodeId));
            return ValueTask.CompletedTask;
        }

        public ValueTask<(bool Taken, string? Previous)> TakeLeaseAsync(string name, string node, DateTimeOffset now, DateTimeOffset until) =>
            ValueTask.FromResult(TakeLease(scope, name, node, now, until));

        public ValueTask<bool> ReleaseLeaseAsync(string name, string node) =>
            ValueTask.FromResult(scope.Execute("DELETE FROM leadership WHERE name = @name AND node = @id", ("@name", name), ("@id", node)) > 0);

        public ValueTask<IReadOnlyList<TriggerBinding>> ListTriggersAsync(string source) =>
            ValueTask.FromResult<IReadOnlyList<TriggerBinding>>(SqliteRows.ReadAll(
                scope.Command("SELECT t.job_name, t.spec, j.paused FROM triggers t JOIN jobs j ON j.name = t.job_name WHERE t.key LIKE @prefix ORDER BY t.job_name, t.id",
                    ("@prefix", source + ":%")),
                r => new TriggerBinding(r.GetString(0), JsonSerializer.Deserialize<TriggerSpec>(r.GetString(1), KairosJson.Options)!, r.GetInt64(2) != 0)));

        public ValueTask<bool> RememberDeliveryIdAsync(string hook, string deliveryId, DateTimeOffset windowStart, DateTimeOffset forgetBefore)
        {
            scope.Execute("DELETE FROM webhook_deliveries WHERE hook = @hook AND received_at < @horizon", ("@hook", hook), ("@horizon", Ms(forgetBefore)));
            return ValueTask.FromResult(scope.Execute(
                "INSERT INTO webhook_deliveries (hook, delivery_id, received_at) VALUES (@hook, @id, @now) ON CONFLICT DO NOTHING",
                ("@hook", hook), ("@id", deliveryId), ("@now", Ms(windowStart))) == 1);
        }
    }
}

using Npgsql;

namespace Kairos.Storage.Postgres;

/// <summary>
/// Versioned schema, in a schema of its own (default <c>kairos</c>). Migrations only ever append:
/// version N's script runs once, on a schema at version N−1. All pending scripts run in one
/// transaction that first takes a transaction-scoped advisory lock (keyed by the schema name), so
/// several nodes starting at once apply each migration exactly once. A schema at a version above
/// <see cref="LatestVersion"/> was written by a newer Kairos and is refused rather than guessed at.
/// Times are stored as Unix milliseconds (bigint, UTC), like the SQLite store.
/// </summary>
internal static class PostgresMigrations
{
    private static readonly string[] Scripts =
    [
        // 1: jobs, triggers, runs, run logs, journal.
        """
        CREATE TABLE jobs (
            name text PRIMARY KEY,
            definition text NOT NULL,
            queue text NOT NULL,
            executor_kind text NOT NULL,
            priority bigint NOT NULL,
            max_attempts bigint NOT NULL,
            max_instances bigint,
            skip_on_overlap boolean NOT NULL,
            paused boolean NOT NULL DEFAULT false,
            version bigint NOT NULL,
            updated_at bigint NOT NULL
        );
        CREATE TABLE triggers (
            id bigserial PRIMARY KEY,
            job_name text NOT NULL,
            key text NOT NULL,
            spec text NOT NULL,
            next_fire_at bigint,
            last_fire_at bigint,
            created_at bigint NOT NULL,
            UNIQUE (job_name, key)
        );
        CREATE INDEX ix_triggers_next_fire ON triggers (next_fire_at) WHERE next_fire_at IS NOT NULL;
        CREATE TABLE runs (
            id bigserial PRIMARY KEY,
            job_name text NOT NULL,
            queue text NOT NULL,
            executor_kind text NOT NULL,
            priority bigint NOT NULL,
            state text NOT NULL,
            attempt bigint NOT NULL DEFAULT 0,
            max_attempts bigint NOT NULL,
            source text NOT NULL,
            trigger_id bigint,
            parent_run_id bigint,
            payload text,
            output text,
            error text,
            idempotency_key text,
            created_at bigint NOT NULL,
            due_at bigint NOT NULL,
            started_at bigint,
            finished_at bigint,
            lease_owner text,
            lease_expires_at bigint,
            cancel_requested boolean NOT NULL DEFAULT false,
            event_id bigint,
            subscription text,
            chain_depth bigint NOT NULL DEFAULT 0,
            dedupe_key text
        );
        CREATE UNIQUE INDEX ux_runs_idempotency ON runs (job_name, idempotency_key) WHERE idempotency_key IS NOT NULL;
        CREATE INDEX ix_runs_claim_order ON runs (priority DESC, due_at, id) WHERE state = 'queued';
        CREATE INDEX ix_runs_leases ON runs (lease_expires_at) WHERE state = 'running';
        CREATE INDEX ix_runs_running ON runs (job_name, queue, executor_kind) WHERE state = 'running';
        CREATE INDEX ix_runs_job ON runs (job_name, id);
        CREATE INDEX ix_runs_state ON runs (state, id);
        CREATE INDEX ix_runs_event ON runs (event_id) WHERE event_id IS NOT NULL;
        CREATE INDEX ix_runs_parent ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
        CREATE INDEX ix_runs_dedupe ON runs (trigger_id, dedupe_key) WHERE dedupe_key IS NOT NULL AND state IN ('queued', 'running');
        CREATE TABLE run_logs (
            id bigserial PRIMARY KEY,
            run_id bigint NOT NULL,
            at bigint NOT NULL,
            stream text NOT NULL,
            text text NOT NULL
        );
        CREATE INDEX ix_run_logs_run ON run_logs (run_id, id);
        CREATE TABLE journal (
            seq bigserial PRIMARY KEY,
            at bigint NOT NULL,
            kind text NOT NULL,
            job_name text,
            run_id bigint,
            trigger_id bigint,
            node text,
            data text
        );
        CREATE INDEX ix_journal_run ON journal (run_id) WHERE run_id IS NOT NULL;
        CREATE INDEX ix_journal_job ON journal (job_name, seq) WHERE job_name IS NOT NULL;
        CREATE FUNCTION journal_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'the journal is append-only'; END $$;
        CREATE TRIGGER journal_is_append_only BEFORE UPDATE OR DELETE ON journal
            FOR EACH STATEMENT EXECUTE FUNCTION journal_is_append_only();
        CREATE TABLE webhooks (
            name text PRIMARY KEY,
            definition text NOT NULL,
            updated_at bigint NOT NULL
        );
        CREATE TABLE webhook_deliveries (
            hook text NOT NULL,
            delivery_id text NOT NULL,
            received_at bigint NOT NULL,
            PRIMARY KEY (hook, delivery_id)
        );
        CREATE TABLE events (
            id bigserial PRIMARY KEY,
            type text NOT NULL,
            source text NOT NULL,
            data text,
            priority bigint NOT NULL,
            idempotency_key text,
            published_at bigint NOT NULL,
            cancelled boolean NOT NULL DEFAULT false
        );
        CREATE UNIQUE INDEX ux_events_idempotency ON events (idempotency_key) WHERE idempotency_key IS NOT NULL;
        CREATE INDEX ix_events_published ON events (published_at);
        CREATE TABLE subscriptions (
            name text PRIMARY KEY,
            pattern text NOT NULL,
            filter text NOT NULL,
            job_name text NOT NULL,
            active boolean NOT NULL,
            max_depth bigint,
            owner_job text,
            updated_at bigint NOT NULL
        );
        CREATE TABLE file_state (
            trigger_id bigint NOT NULL,
            path text NOT NULL,
            size bigint NOT NULL,
            mtime bigint NOT NULL,
            PRIMARY KEY (trigger_id, path)
        );
        CREATE TABLE poll_state (
            trigger_id bigint PRIMARY KEY,
            last_poll_at bigint,
            failures bigint NOT NULL DEFAULT 0,
            state text
        );
        """,

        // 2: the nodes that share this schema, and the one lease row of the cluster's leadership.
        """
        CREATE TABLE nodes (
            id text PRIMARY KEY,
            host text NOT NULL,
            version text NOT NULL,
            started_at bigint NOT NULL,
            last_seen_at bigint NOT NULL
        );
        CREATE TABLE leadership (
            name text PRIMARY KEY,
            node text NOT NULL,
            since bigint NOT NULL,
            expires_at bigint NOT NULL
        );
        """,

        // 3: a paused job's queued runs are "held" and left out of the claim-order index, so a paused
        // job with a large backlog does not make every claim walk it (as SQLite's migration 4). Enqueue
        // sets the flag; triggers keep it right when a job is paused or resumed and when a run is
        // queued again (retry, rescue, release).
        """
        ALTER TABLE runs ADD COLUMN held boolean NOT NULL DEFAULT false;
        UPDATE runs SET held = true WHERE state = 'queued' AND job_name IN (SELECT name FROM jobs WHERE paused);
        DROP INDEX ix_runs_claim_order;
        CREATE INDEX ix_runs_claim_order ON runs (priority DESC, due_at, id) WHERE state = 'queued' AND NOT held;
        CREATE FUNCTION jobs_pause_holds_runs() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN UPDATE runs SET held = NEW.paused WHERE job_name = NEW.name AND state = 'queued'; RETURN NULL; END $$;
        CREATE TRIGGER jobs_pause_holds_runs AFTER UPDATE OF paused ON jobs
            FOR EACH ROW WHEN (OLD.paused <> NEW.paused) EXECUTE FUNCTION jobs_pause_holds_runs();
        CREATE FUNCTION runs_queued_again_follow_their_job() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN NEW.held := COALESCE((SELECT paused FROM jobs WHERE name = NEW.job_name), false); RETURN NEW; END $$;
        CREATE TRIGGER runs_queued_again_follow_their_job BEFORE UPDATE OF state ON runs
            FOR EACH ROW WHEN (NEW.state = 'queued' AND OLD.state <> 'queued') EXECUTE FUNCTION runs_queued_again_follow_their_job();
        """,

        // 4: an event whose routing failed for some subscription (its filter threw) is failed.
        """
        ALTER TABLE events ADD COLUMN routing_failed boolean NOT NULL DEFAULT false;
        """,

        // 5: retention (as SQLite's migration 7). Indexes for the pruner's deletes (finished runs by
        // state and age, the journal and webhook delivery ids by age); queued and running runs
        // (finished_at NULL) stay out of the runs index. The journal stays append-only except for
        // retention: a DELETE is refused unless its transaction set kairos.pruning_journal (which
        // only the pruner's delete does). seq is a sequence, so deleting old entries never reuses one.
        """
        CREATE INDEX ix_runs_finished ON runs (state, finished_at) WHERE finished_at IS NOT NULL;
        CREATE INDEX ix_journal_at ON journal (at);
        CREATE INDEX ix_webhook_deliveries_received ON webhook_deliveries (hook, received_at);
        CREATE OR REPLACE FUNCTION journal_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' AND current_setting('kairos.pruning_journal', true) = 'on' THEN RETURN NULL; END IF;
                RAISE EXCEPTION 'the journal is append-only: only retention deletes old entries';
            END $$;
        """,

        // 6: API keys (as SQLite's migration 8).
        """
        CREATE TABLE api_keys (
            id text PRIMARY KEY,
            name text NOT NULL UNIQUE,
            scope text NOT NULL,
            hash text NOT NULL,
            created_at bigint NOT NULL,
            expires_at bigint,
            last_used_at bigint
        );
        """,

        // 7: named secrets (as SQLite's migration 9).
        """
        CREATE TABLE secrets (
            name text PRIMARY KEY,
            key_id text NOT NULL,
            ciphertext text NOT NULL,
            updated_at bigint NOT NULL
        );
        """,

        // 8: the namespaces an API key is bound to (as SQLite's migration 10).
        "ALTER TABLE api_keys ADD COLUMN namespaces text;",

        // 9: what the configuration declared at the last start (as SQLite's migration 11).
        "CREATE TABLE declared (kind text NOT NULL, name text NOT NULL, PRIMARY KEY (kind, name));",

        // 10: flow control (as SQLite's migration 12): a job's rules (NULL: none, the plain paths), a
        // run's concurrency keys with their limits (JSON; NULL: none), and one row of state per key
        // of the enqueue-time rules (rate limit and throttle: the GCRA time; singleton: the run).
        """
        ALTER TABLE jobs ADD COLUMN flow text;
        ALTER TABLE runs ADD COLUMN flow_keys text;
        CREATE TABLE flow_state (
            key text PRIMARY KEY,
            at bigint NOT NULL,
            run_id bigint
        );
        CREATE INDEX ix_flow_state_at ON flow_state (at);
        """,

        // 11: workflows: a workflow run's state with the definition it started with, and one row per
        // step (the run executing it, its outcome, the order steps ended in, its compensation).
        """
        CREATE TABLE workflow_runs (
            run_id bigint PRIMARY KEY,
            job_name text NOT NULL,
            state text NOT NULL,
            definition text NOT NULL,
            error text,
            created_at bigint NOT NULL,
            finished_at bigint
        );
        CREATE TABLE workflow_steps (
            run_id bigint NOT NULL,
            step_id text NOT NULL,
            ordinal integer NOT NULL,
            state text NOT NULL,
            step_run_id bigint,
            output text,
            error text,
            started_at bigint,
            finished_at bigint,
            ended_seq integer,
            compensation_run_id bigint,
            compensation_state text,
            PRIMARY KEY (run_id, step_id)
        );
        """,

        // 12: a job's flow.cancelOn rules (as SQLite's migration 14).
        """
        ALTER TABLE jobs ADD COLUMN cancel_on text;
        CREATE INDEX ix_jobs_cancel_on ON jobs (name) WHERE cancel_on IS NOT NULL;
        """,

        // 13: the waits of waitForEvent steps and a workflow run's timeout timer (as SQLite's migration 15).
        """
        ALTER TABLE workflow_runs ADD COLUMN timeout_run_id bigint;
        CREATE TABLE workflow_waits (
            run_id bigint PRIMARY KEY,
            workflow_run_id bigint NOT NULL,
            namespace text NOT NULL,
            type text NOT NULL,
            match text,
            match_values text,
            since bigint NOT NULL,
            deadline bigint NOT NULL,
            event_id bigint,
            data text
        );
        CREATE INDEX ix_workflow_waits_open ON workflow_waits (namespace) WHERE event_id IS NULL;
        """,

        // 14: workflow versions and the version a workflow run goes on with (as SQLite's migration 16).
        """
        ALTER TABLE workflow_runs ADD COLUMN version integer;
        CREATE TABLE workflow_versions (
            job_name text NOT NULL,
            version integer NOT NULL,
            definition text NOT NULL,
            created_at bigint NOT NULL,
            PRIMARY KEY (job_name, version)
        );
        """,

        // 15: the webhook deliveries page's partial index (as SQLite's migration 17).
        """
        CREATE INDEX ix_journal_webhook_deliveries ON journal (seq) WHERE kind IN ('webhook.accepted', 'webhook.rejected', 'webhook.refused');
        """,
    ];

    public static int LatestVersion => Scripts.Length;

    public static async Task ApplyAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(hashtext('kairos.migrate.' || @schema))", cancellationToken, ("schema", schema)).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"CREATE SCHEMA IF NOT EXISTS \"{schema}\"", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"CREATE TABLE IF NOT EXISTS \"{schema}\".kairos_schema (version integer NOT NULL)", cancellationToken).ConfigureAwait(false);
        await using (var read = new NpgsqlCommand($"SELECT MAX(version) FROM \"{schema}\".kairos_schema", connection, transaction))
        {
            var value = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            var current = value is null or DBNull ? 0 : Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
            if (current > LatestVersion)
            {
                throw new KairosStoreException(
                    $"the PostgreSQL schema '{schema}' has schema version {current}, but this Kairos build knows versions up to " +
                    $"{LatestVersion}; it was written by a newer Kairos. Upgrade Kairos, or point it at another schema.");
            }
            for (var version = current + 1; version <= LatestVersion; version++)
            {
                await ExecuteAsync(connection, transaction, $"SET LOCAL search_path TO \"{schema}\"", cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, transaction, Scripts[version - 1], cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, transaction, $"DELETE FROM \"{schema}\".kairos_schema; INSERT INTO \"{schema}\".kairos_schema (version) VALUES (@v)",
                    cancellationToken, ("v", version)).ConfigureAwait(false);
            }
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

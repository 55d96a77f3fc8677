using Microsoft.Data.Sqlite;

namespace Kairos.Storage.Sqlite;

/// <summary>
/// Versioned schema. Migrations only ever append: version N's script runs once, in a transaction,
/// on a database at version N−1. A database at a version above <see cref="LatestVersion"/> was written
/// by a newer Kairos and is refused rather than guessed at.
/// </summary>
internal static class SqliteMigrations
{
    private static readonly string[] Scripts =
    [
        // 1: jobs, triggers, runs, run logs, journal.
        """
        CREATE TABLE jobs (
            name TEXT PRIMARY KEY,
            definition TEXT NOT NULL,
            queue TEXT NOT NULL,
            executor_kind TEXT NOT NULL,
            priority INTEGER NOT NULL,
            max_attempts INTEGER NOT NULL,
            max_instances INTEGER,
            skip_on_overlap INTEGER NOT NULL,
            paused INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE triggers (
            id INTEGER PRIMARY KEY,
            job_name TEXT NOT NULL,
            key TEXT NOT NULL,
            spec TEXT NOT NULL,
            next_fire_at INTEGER,
            last_fire_at INTEGER,
            created_at INTEGER NOT NULL,
            UNIQUE (job_name, key)
        );
        CREATE INDEX ix_triggers_next_fire ON triggers (next_fire_at) WHERE next_fire_at IS NOT NULL;
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            job_name TEXT NOT NULL,
            queue TEXT NOT NULL,
            executor_kind TEXT NOT NULL,
            priority INTEGER NOT NULL,
            state TEXT NOT NULL,
            attempt INTEGER NOT NULL DEFAULT 0,
            max_attempts INTEGER NOT NULL,
            source TEXT NOT NULL,
            trigger_id INTEGER,
            parent_run_id INTEGER,
            payload TEXT,
            output TEXT,
            error TEXT,
            idempotency_key TEXT,
            created_at INTEGER NOT NULL,
            due_at INTEGER NOT NULL,
            started_at INTEGER,
            finished_at INTEGER,
            lease_owner TEXT,
            lease_expires_at INTEGER,
            cancel_requested INTEGER NOT NULL DEFAULT 0
        );
        CREATE UNIQUE INDEX ux_runs_idempotency ON runs (job_name, idempotency_key) WHERE idempotency_key IS NOT NULL;
        CREATE INDEX ix_runs_claim_order ON runs (priority DESC, due_at, id) WHERE state = 'queued';
        CREATE INDEX ix_runs_leases ON runs (lease_expires_at) WHERE state = 'running';
        CREATE INDEX ix_runs_job ON runs (job_name, id);
        CREATE INDEX ix_runs_state ON runs (state, id);
        CREATE TABLE run_logs (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL,
            at INTEGER NOT NULL,
            stream TEXT NOT NULL,
            text TEXT NOT NULL
        );
        CREATE INDEX ix_run_logs_run ON run_logs (run_id, id);
        -- seq needs no AUTOINCREMENT (an extra sqlite_sequence write per entry): rows are never
        -- deleted (see the triggers below), so max(seq) + 1 never hands out a number twice.
        CREATE TABLE journal (
            seq INTEGER PRIMARY KEY,
            at INTEGER NOT NULL,
            kind TEXT NOT NULL,
            job_name TEXT,
            run_id INTEGER,
            trigger_id INTEGER,
            node TEXT,
            data TEXT
        );
        CREATE INDEX ix_journal_run ON journal (run_id) WHERE run_id IS NOT NULL;
        CREATE TRIGGER journal_is_append_only_update BEFORE UPDATE ON journal
            BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
        CREATE TRIGGER journal_is_append_only_delete BEFORE DELETE ON journal
            BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
        """,

        // 2: webhooks and the delivery ids seen (replay protection); events, subscriptions, and run links to them.
        """
        CREATE TABLE webhooks (
            name TEXT PRIMARY KEY,
            definition TEXT NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE webhook_deliveries (
            hook TEXT NOT NULL,
            delivery_id TEXT NOT NULL,
            received_at INTEGER NOT NULL,
            PRIMARY KEY (hook, delivery_id)
        );
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            type TEXT NOT NULL,
            source TEXT NOT NULL,
            data TEXT,
            priority INTEGER NOT NULL,
            idempotency_key TEXT,
            published_at INTEGER NOT NULL,
            cancelled INTEGER NOT NULL DEFAULT 0
        );
        CREATE UNIQUE INDEX ux_events_idempotency ON events (idempotency_key) WHERE idempotency_key IS NOT NULL;
        CREATE INDEX ix_events_published ON events (published_at);
        CREATE TABLE subscriptions (
            name TEXT PRIMARY KEY,
            pattern TEXT NOT NULL,
            filter TEXT NOT NULL,
            job_name TEXT NOT NULL,
            active INTEGER NOT NULL,
            max_depth INTEGER,
            owner_job TEXT,
            updated_at INTEGER NOT NULL
        );
        ALTER TABLE runs ADD COLUMN event_id INTEGER;
        ALTER TABLE runs ADD COLUMN subscription TEXT;
        ALTER TABLE runs ADD COLUMN chain_depth INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX ix_runs_event ON runs (event_id) WHERE event_id IS NOT NULL;
        CREATE INDEX ix_runs_parent ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
        """,

        // 3: de-duplication of runs by context, file-watch state, poll state.
        """
        ALTER TABLE runs ADD COLUMN dedupe_key TEXT;
        CREATE INDEX ix_runs_dedupe ON runs (trigger_id, dedupe_key) WHERE dedupe_key IS NOT NULL AND state IN ('queued', 'running');
        CREATE TABLE file_state (
            trigger_id INTEGER NOT NULL,
            path TEXT NOT NULL,
            size INTEGER NOT NULL,
            mtime INTEGER NOT NULL,
            PRIMARY KEY (trigger_id, path)
        );
        CREATE TABLE poll_state (
            trigger_id INTEGER PRIMARY KEY,
            last_poll_at INTEGER,
            failures INTEGER NOT NULL DEFAULT 0,
            state TEXT
        );
        """,

        // 4: a paused job's queued runs are "held" and left out of the claim-order index, so a paused
        // job with a large backlog does not make every claim walk it. Triggers keep the flag right on
        // every path: pausing or resuming a job, and a run becoming queued again (retry, rescue).
        """
        ALTER TABLE runs ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
        UPDATE runs SET held = 1 WHERE state = 'queued' AND job_name IN (SELECT name FROM jobs WHERE paused = 1);
        DROP INDEX ix_runs_claim_order;
        CREATE INDEX ix_runs_claim_order ON runs (priority DESC, due_at, id) WHERE state = 'queued' AND held = 0;
        CREATE TRIGGER jobs_pause_holds_runs AFTER UPDATE OF paused ON jobs WHEN OLD.paused != NEW.paused
            BEGIN UPDATE runs SET held = NEW.paused WHERE job_name = NEW.name AND state = 'queued'; END;
        CREATE TRIGGER runs_queued_again_follow_their_job AFTER UPDATE OF state ON runs WHEN NEW.state = 'queued' AND OLD.state != 'queued'
            BEGIN UPDATE runs SET held = (SELECT paused FROM jobs WHERE name = NEW.job_name) WHERE id = NEW.id; END;
        """,

        // 5: the nodes that share this database, and the one lease row of the cluster's leadership.
        """
        CREATE TABLE nodes (
            id TEXT PRIMARY KEY,
            host TEXT NOT NULL,
            version TEXT NOT NULL,
            started_at INTEGER NOT NULL,
            last_seen_at INTEGER NOT NULL
        );
        CREATE TABLE leadership (
            name TEXT PRIMARY KEY,
            node TEXT NOT NULL,
            since INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        );
        """,
        // 6: an event whose routing failed for some subscription (its filter threw) is failed.
        """
        ALTER TABLE events ADD COLUMN routing_failed INTEGER NOT NULL DEFAULT 0;
        """,

        // 7: retention. An index for forgetting webhook delivery ids by age. Runs and journal entries
        // are pruned by walking their primary keys up to a boundary found by binary search on
        // created_at / at (both grow with the key): an index by age on either table would cost every
        // enqueue, claim and completion a write more, about a tenth of the throughput. The journal
        // stays append-only except for retention: a delete is refused unless the pruner flagged its
        // transaction in journal_pruning, and the newest entry is never deleted, because seq (no
        // AUTOINCREMENT) is max(seq) + 1 and would otherwise be handed out again.
        """
        CREATE INDEX ix_webhook_deliveries_received ON webhook_deliveries (hook, received_at);
        CREATE TABLE journal_pruning (flag INTEGER NOT NULL);
        DROP TRIGGER journal_is_append_only_delete;
        CREATE TRIGGER journal_is_append_only_delete BEFORE DELETE ON journal
            WHEN NOT EXISTS (SELECT 1 FROM journal_pruning) OR OLD.seq = (SELECT MAX(seq) FROM journal)
            BEGIN SELECT RAISE(ABORT, 'the journal is append-only: only retention deletes old entries, and never the newest'); END;
        """,

        // 8: API keys. Only a hash of each key's secret is kept; id is the token's public part.
        """
        CREATE TABLE api_keys (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            scope TEXT NOT NULL,
            hash TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER,
            last_used_at INTEGER
        );
        """,

        // 9: named secrets, encrypted by the engine (AES-GCM); the database never sees a value.
        """
        CREATE TABLE secrets (
            name TEXT PRIMARY KEY,
            key_id TEXT NOT NULL,
            ciphertext TEXT NOT NULL,
            updated_at INTEGER NOT NULL
        );
        """,

        // 10: the namespaces an API key is bound to, comma-separated; NULL: every namespace.
        "ALTER TABLE api_keys ADD COLUMN namespaces TEXT;",

        // 11: what the configuration (YAML file, AddJob…) declared at the last start, so a definition it no longer declares is deleted.
        "CREATE TABLE declared (kind TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (kind, name));",

        // 12: flow control: a job's rules (JSON; NULL: none, the plain paths), a run's concurrency
        // keys with their limits (JSON; NULL: none), and one row of state per key of the
        // enqueue-time rules (rate limit and throttle: the GCRA time; singleton: the run).
        """
        ALTER TABLE jobs ADD COLUMN flow TEXT;
        ALTER TABLE runs ADD COLUMN flow_keys TEXT;
        CREATE TABLE flow_state (
            key TEXT PRIMARY KEY,
            at INTEGER NOT NULL,
            run_id INTEGER
        );
        CREATE INDEX ix_flow_state_at ON flow_state (at);
        """,

        // 13: workflows: a workflow run's state with the definition it started with, and one row per
        // step (the run executing it, its outcome, the order steps ended in, its compensation).
        """
        CREATE TABLE workflow_runs (
            run_id INTEGER PRIMARY KEY,
            job_name TEXT NOT NULL,
            state TEXT NOT NULL,
            definition TEXT NOT NULL,
            error TEXT,
            created_at INTEGER NOT NULL,
            finished_at INTEGER
        );
        CREATE TABLE workflow_steps (
            run_id INTEGER NOT NULL,
            step_id TEXT NOT NULL,
            ordinal INTEGER NOT NULL,
            state TEXT NOT NULL,
            step_run_id INTEGER,
            output TEXT,
            error TEXT,
            started_at INTEGER,
            finished_at INTEGER,
            ended_seq INTEGER,
            compensation_run_id INTEGER,
            compensation_state TEXT,
            PRIMARY KEY (run_id, step_id)
        );
        """,

        // 14: a job's flow.cancelOn rules (JSON; NULL: none), apart from its other rules since every
        // publish reads them; the index holds only the jobs that have some.
        """
        ALTER TABLE jobs ADD COLUMN cancel_on TEXT;
        CREATE INDEX ix_jobs_cancel_on ON jobs (name) WHERE cancel_on IS NOT NULL;
        """,

        // 15: the waits of waitForEvent steps, by the run the step waits in (every publish reads the
        // open ones of its namespace); a workflow run's timeout timer.
        """
        ALTER TABLE workflow_runs ADD COLUMN timeout_run_id INTEGER;
        CREATE TABLE workflow_waits (
            run_id INTEGER PRIMARY KEY,
            workflow_run_id INTEGER NOT NULL,
            namespace TEXT NOT NULL,
            type TEXT NOT NULL,
            match TEXT,
            match_values TEXT,
            since INTEGER NOT NULL,
            deadline INTEGER NOT NULL,
            event_id INTEGER,
            data TEXT
        );
        CREATE INDEX ix_workflow_waits_open ON workflow_waits (namespace) WHERE event_id IS NULL;
        """,

        // 16: workflow versions: each definition a workflow job was saved with, numbered from 1, and the
        // version a workflow run goes on with (NULL for runs started before).
        """
        ALTER TABLE workflow_runs ADD COLUMN version INTEGER;
        CREATE TABLE workflow_versions (
            job_name TEXT NOT NULL,
            version INTEGER NOT NULL,
            definition TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (job_name, version)
        );
        """,

        // 17: the webhook deliveries page reads the newest webhook.* entries of the journal. A partial index
        // holds only those, so the page walks it newest first instead of scanning every entry back to the last
        // delivery, and no other journal insert pays for it. A query uses it only when it names these kinds,
        // in this order, as literals (JournalQuery.LiteralKinds; WebhookDeliveryLine.Kinds).
        """
        CREATE INDEX ix_journal_webhook_deliveries ON journal (seq) WHERE kind IN ('webhook.accepted', 'webhook.rejected', 'webhook.refused');
        """,
    ];

    public static int LatestVersion => Scripts.Length;

    public static void Apply(SqliteConnection connection, string path)
    {
        Execute(connection, "CREATE TABLE IF NOT EXISTS kairos_schema (version INTEGER NOT NULL)");
        var current = ReadVersion(connection);
        if (current > LatestVersion)
        {
            throw new KairosStoreException(
                $"the database '{path}' has schema version {current}, but this Kairos build knows versions up to " +
                $"{LatestVersion}; it was written by a newer Kairos. Upgrade Kairos, or point --db at another file.");
        }
        for (var version = current + 1; version <= LatestVersion; version++)
        {
            using var transaction = connection.BeginTransaction();
            using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = Scripts[version - 1];
                command.ExecuteNonQuery();
                command.CommandText = "DELETE FROM kairos_schema; INSERT INTO kairos_schema (version) VALUES ($v)";
                command.Parameters.AddWithValue("$v", version);
                command.ExecuteNonQuery();
            }
            transaction.Commit();
        }
    }

    private static int ReadVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT MAX(version) FROM kairos_schema";
        var value = command.ExecuteScalar();
        return value is null or DBNull ? 0 : Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

-- pgbench script: the SQL a run's life costs PostgreSQL, without the engine. One execution takes
-- :b runs through it in three transactions, as Kairos does: enqueue (insert the runs and their
-- run.enqueued journal rows, committed), claim (lock the oldest queued runs, mark them running
-- with a lease, journal run.started) and complete (mark :b running runs succeeded, journal
-- run.succeeded, committed). Each transaction is one statement here, fewer than the engine sends,
-- so the figure is a ceiling for Kairos on the same server: runs/s = tps × b.
-- Needs a Kairos schema (see docs/benchmarks.md, "What PostgreSQL alone can do"). Run with e.g.
--   PGOPTIONS="-c search_path=lifecycle" pgbench -n -M prepared -c 4 -j 1 -T 15 -D b=20 -f run-lifecycle.sql
\set now 1700000000000
BEGIN;
WITH ins AS (
  INSERT INTO runs (job_name, queue, executor_kind, priority, state, max_attempts, source, created_at, due_at, held)
  SELECT 'bench-noop', 'default', 'handler', 0, 'queued', 1, 'manual', :now, :now, false FROM generate_series(1, :b)
  RETURNING id, job_name)
INSERT INTO journal (at, kind, job_name, run_id, trigger_id, node, data)
SELECT :now, 'run.enqueued', job_name, id, NULL, 'n1', '{"source":"manual","queue":"default"}' FROM ins;
COMMIT;
BEGIN;
WITH c AS (SELECT id FROM runs WHERE state = 'queued' AND NOT held AND due_at <= :now ORDER BY priority DESC, due_at, id LIMIT :b FOR UPDATE SKIP LOCKED),
u AS (UPDATE runs SET state = 'running', attempt = attempt + 1, started_at = :now, lease_owner = 'n1', lease_expires_at = :now::bigint + 60000, cancel_requested = false
      FROM c WHERE runs.id = c.id RETURNING runs.id, runs.job_name)
INSERT INTO journal (at, kind, job_name, run_id, trigger_id, node, data)
SELECT :now, 'run.started', job_name, id, NULL, 'n1', '{"attempt":1}' FROM u;
COMMIT;
BEGIN;
WITH c AS (SELECT id FROM runs WHERE state = 'running' ORDER BY lease_expires_at LIMIT :b FOR UPDATE SKIP LOCKED),
u AS (UPDATE runs SET state = 'succeeded', finished_at = :now, lease_owner = NULL, lease_expires_at = NULL
      FROM c WHERE runs.id = c.id RETURNING runs.id, runs.job_name)
INSERT INTO journal (at, kind, job_name, run_id, trigger_id, node, data)
SELECT :now, 'run.succeeded', job_name, id, NULL, 'n1', '{"attempt":1,"durationMs":0}' FROM u;
COMMIT;

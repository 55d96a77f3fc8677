using Kairos.Access;
using Kairos.Model;

namespace Kairos.Storage.Postgres;

/// <summary>Read-only queries, on pooled connections outside any write transaction.</summary>
internal sealed partial class PostgresStore
{
    /// <summary>
    /// The earliest due time of a claimable run, from the claim-order index: a loose index scan
    /// visits each priority present and takes its first due time, two index probes per priority,
    /// instead of reading every queued run. Held runs (of paused jobs) are not in that index.
    /// </summary>
    public Task<DateTimeOffset?> GetNextQueuedDueAsync(DateTimeOffset? after, CancellationToken cancellationToken) =>
        Read(async scope => await scope.Scalar(
            """
            WITH RECURSIVE priorities(p) AS (
                (SELECT priority FROM runs WHERE state = 'queued' AND NOT held ORDER BY priority DESC LIMIT 1)
                UNION ALL
                SELECT (SELECT priority FROM runs WHERE state = 'queued' AND NOT held AND priority < p ORDER BY priority DESC LIMIT 1)
                FROM priorities WHERE p IS NOT NULL
            )
            SELECT MIN((SELECT due_at FROM runs WHERE state = 'queued' AND NOT held AND priority = p AND due_at > @after ORDER BY priority DESC, due_at LIMIT 1))
            FROM priorities WHERE p IS NOT NULL
            """, ("after", after is { } a ? Ms(a) : long.MinValue)) is long ms ? Time(ms) : (DateTimeOffset?)null,
            cancellationToken);

    public Task<RunRecord?> GetRunAsync(long runId, CancellationToken cancellationToken) =>
        Read(async scope => (await scope.Query($"SELECT {PostgresRows.RunColumns} FROM runs WHERE id = @id", PostgresRows.Run, ("id", runId))).FirstOrDefault(),
            cancellationToken);

    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<RunRecord>>(async scope => await scope.Query(
            $"""
            SELECT {PostgresRows.RunColumns} FROM runs
            WHERE (@job::text IS NULL OR job_name = @job::text) AND (@state::text IS NULL OR state = @state::text)
              AND (@before::bigint IS NULL OR id < @before::bigint)
              AND (@source::text IS NULL OR source = @source::text)
              AND (@from::bigint IS NULL OR created_at >= @from::bigint) AND (@to::bigint IS NULL OR created_at < @to::bigint)
              AND (@event::bigint IS NULL OR event_id = @event::bigint) AND (@parent::bigint IS NULL OR parent_run_id = @parent::bigint)
              AND {InNamespace("job_name")}
            ORDER BY id DESC LIMIT @limit
            """,
            PostgresRows.Run,
            ("job", query.JobName), ("state", query.State?.ToWire()), ("before", query.BeforeId), ("event", query.EventId),
            ("parent", query.ParentRunId), ("source", query.Source), ("from", Ms(query.From)), ("to", Ms(query.To)),
            ("ns", Namespaces.Prefix(query.Namespace)), ("limit", Math.Clamp(query.Limit, 1, 10_000))), cancellationToken);

    public Task<IReadOnlyList<RunLogLine>> GetRunLogAsync(long runId, RunLogQuery query, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<RunLogLine>>(async scope => await scope.Query(
            "SELECT at, stream, substr(text, 1, @chars) FROM run_logs WHERE run_id = @id ORDER BY id LIMIT @limit OFFSET @skip",
            r => new RunLogLine(Time(r.GetInt64(0)), r.GetString(1), r.GetString(2)),
            ("id", runId), ("chars", RunLogWindow.Chars(query)), ("limit", Math.Max(0, query.Limit)), ("skip", Math.Max(0, query.Skip))), cancellationToken);

    /// <remarks>
    /// seq comes from a sequence: it orders entries by when they were written, but with several
    /// nodes an entry with a lower seq can commit after one with a higher seq, and a rolled-back
    /// transaction leaves a gap. A reader following the journal with AfterSeq should re-read a
    /// short window behind its position.
    /// </remarks>
    public Task<IReadOnlyList<JournalEntry>> ListJournalAsync(JournalQuery query, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<JournalEntry>>(async scope => await scope.Query(
            JournalSql(query),
            r => new JournalEntry(
                r.GetInt64(0), Time(r.GetInt64(1)), r.GetString(2), PostgresRows.Text(r, 3), PostgresRows.Long(r, 4),
                PostgresRows.Long(r, 5), PostgresRows.Text(r, 6), PostgresRows.Text(r, 7)),
            JournalParameters(query)), cancellationToken);

    /// <summary>The journal's query; its kinds are literals, so that the webhook deliveries' partial index (migration 15) serves it.</summary>
    internal static string JournalSql(JournalQuery query)
    {
        var kinds = query.LiteralKinds switch
        {
            null => "",
            [] => "AND FALSE",
            var literal => $"AND kind IN ({string.Join(", ", literal.Select(k => $"'{k}'"))})",
        };
        return $"""
            SELECT seq, at, kind, job_name, run_id, trigger_id, node, data FROM journal
            WHERE (@run::bigint IS NULL OR run_id = @run::bigint) AND (@job::text IS NULL OR job_name = @job::text)
              AND (@after::bigint IS NULL OR seq > @after::bigint) AND {InNamespace("job_name")} {kinds}
            ORDER BY seq {(query.NewestFirst ? "DESC" : "")} LIMIT @limit
            """;
    }

    internal static (string Name, object? Value)[] JournalParameters(JournalQuery query) =>
        [("run", query.RunId), ("job", query.JobName), ("after", query.AfterSeq), ("ns", Namespaces.Prefix(query.Namespace)), ("limit", Math.Clamp(query.Limit, 1, 100_000))];

    public Task<StoreStats> GetStatsAsync(string? ns, CancellationToken cancellationToken) =>
        Read(async scope =>
        {
            var prefix = Namespaces.Prefix(ns);
            var byState = (await scope.Query($"SELECT state, COUNT(*) FROM runs WHERE {InNamespace("job_name")} GROUP BY state", r => (r.GetString(0), r.GetInt64(1)), ("ns", prefix)))
                .ToDictionary(x => x.Item1, x => x.Item2);
            var counts = (await scope.Query(
                $"""
                SELECT (SELECT COUNT(*) FROM jobs WHERE {InNamespace("name")}), (SELECT COUNT(*) FROM triggers WHERE {InNamespace("job_name")}),
                       (SELECT COUNT(*) FROM journal WHERE {InNamespace("job_name")})
                """,
                r => (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)), ("ns", prefix))).Single();
            return new StoreStats(byState, counts.Item1, counts.Item2, counts.Item3);
        }, cancellationToken);

    public Task<IReadOnlyDictionary<string, long>> CountQueuedRunsByQueueAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyDictionary<string, long>>(async scope =>
            (await scope.Query("SELECT queue, COUNT(*) FROM runs WHERE state = 'queued' GROUP BY queue", r => (r.GetString(0), r.GetInt64(1))))
                .ToDictionary(x => x.Item1, x => x.Item2, StringComparer.Ordinal), cancellationToken);

    public Task AppendJournalAsync(string kind, string? jobName, string? data, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(scope =>
        {
            Journal(scope, now, kind, jobName, null, null, data);
            return Task.FromResult(true);
        }, cancellationToken);

    /// <summary>SQL true for the names in the namespace whose prefix is <c>@ns</c> (see <see cref="Namespaces.Prefix"/>); NULL <c>@ns</c>: every row.</summary>
    private static string InNamespace(string column) =>
        $"(@ns::text IS NULL OR (@ns::text = '' AND {column} NOT LIKE '%/%') OR (@ns::text <> '' AND substr({column}, 1, length(@ns::text)) = @ns::text))";
}

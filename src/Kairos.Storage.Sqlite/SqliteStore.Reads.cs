using Kairos.Access;
using Kairos.Model;
using Microsoft.Data.Sqlite;

namespace Kairos.Storage.Sqlite;

/// <summary>Read-only queries: they run on pooled reader connections, in parallel with the writer.</summary>
internal sealed partial class SqliteStore
{
    /// <summary>
    /// The earliest due time in the queue, from the claim-order index: the first due time of each
    /// priority present, two seeks per priority, rather than an index of its own that every enqueue
    /// and claim would have to maintain.
    /// </summary>
    public Task<DateTimeOffset?> GetNextQueuedDueAsync(DateTimeOffset? after, CancellationToken cancellationToken) =>
        Read(connection =>
        {
            using var nextPriority = connection.CreateCommand();
            nextPriority.CommandText =
                "SELECT priority FROM runs INDEXED BY ix_runs_claim_order WHERE state = 'queued' AND held = 0 AND priority < @below ORDER BY priority DESC LIMIT 1";
            var below = nextPriority.Parameters.Add("@below", SqliteType.Integer);
            using var firstDue = connection.CreateCommand();
            firstDue.CommandText =
                "SELECT due_at FROM runs INDEXED BY ix_runs_claim_order WHERE state = 'queued' AND held = 0 AND priority = @priority AND due_at > @after ORDER BY due_at LIMIT 1";
            var priority = firstDue.Parameters.Add("@priority", SqliteType.Integer);
            firstDue.Parameters.AddWithValue("@after", after is { } a ? Ms(a) : long.MinValue);

            long? earliest = null;
            below.Value = long.MaxValue;
            while (nextPriority.ExecuteScalar() is long found)
            {
                priority.Value = found;
                if (firstDue.ExecuteScalar() is long due)
                {
                    earliest = earliest is { } e && e <= due ? e : due;
                }
                below.Value = found;
            }
            return earliest is { } ms ? Time(ms) : (DateTimeOffset?)null;
        }, cancellationToken);

    public Task<RunRecord?> GetRunAsync(long runId, CancellationToken cancellationToken) =>
        Read(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {SqliteRows.RunColumns} FROM runs WHERE id = @id";
            command.Parameters.AddWithValue("@id", runId);
            return SqliteRows.ReadAll(command, r => SqliteRows.Run(r)).FirstOrDefault();
        }, cancellationToken);

    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<RunRecord>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText =
                $"""
                SELECT {SqliteRows.RunColumns} FROM runs
                WHERE (@job IS NULL OR job_name = @job) AND (@state IS NULL OR state = @state) AND (@before IS NULL OR id < @before)
                  AND (@source IS NULL OR source = @source) AND (@from IS NULL OR created_at >= @from) AND (@to IS NULL OR created_at < @to)
                  AND (@event IS NULL OR event_id = @event) AND (@parent IS NULL OR parent_run_id = @parent) AND {InNamespace("job_name")}
                ORDER BY id DESC LIMIT @limit
                """;
            command.Parameters.AddWithValue("@job", (object?)query.JobName ?? DBNull.Value);
            command.Parameters.AddWithValue("@state", (object?)query.State?.ToWire() ?? DBNull.Value);
            command.Parameters.AddWithValue("@before", (object?)query.BeforeId ?? DBNull.Value);
            command.Parameters.AddWithValue("@event", (object?)query.EventId ?? DBNull.Value);
            command.Parameters.AddWithValue("@parent", (object?)query.ParentRunId ?? DBNull.Value);
            command.Parameters.AddWithValue("@source", (object?)query.Source ?? DBNull.Value);
            command.Parameters.AddWithValue("@from", (object?)Ms(query.From) ?? DBNull.Value);
            command.Parameters.AddWithValue("@to", (object?)Ms(query.To) ?? DBNull.Value);
            command.Parameters.AddWithValue("@ns", (object?)Namespaces.Prefix(query.Namespace) ?? DBNull.Value);
            command.Parameters.AddWithValue("@limit", Math.Clamp(query.Limit, 1, 10_000));
            return SqliteRows.ReadAll(command, r => SqliteRows.Run(r));
        }, cancellationToken);

    public Task<IReadOnlyList<RunLogLine>> GetRunLogAsync(long runId, RunLogQuery query, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<RunLogLine>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT at, stream, substr(text, 1, @chars) FROM run_logs WHERE run_id = @id ORDER BY id LIMIT @limit OFFSET @skip";
            command.Parameters.AddWithValue("@id", runId);
            command.Parameters.AddWithValue("@chars", RunLogWindow.Chars(query));
            command.Parameters.AddWithValue("@limit", Math.Max(0, query.Limit));
            command.Parameters.AddWithValue("@skip", Math.Max(0, query.Skip));
            return SqliteRows.ReadAll(command, r => new RunLogLine(Time(r.GetInt64(0)), r.GetString(1), r.GetString(2)));
        }, cancellationToken);

    public Task<IReadOnlyList<JournalEntry>> ListJournalAsync(JournalQuery query, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<JournalEntry>>(connection =>
        {
            using var command = JournalCommand(connection, query);
            return SqliteRows.ReadAll(command, r => new JournalEntry(
                r.GetInt64(0), Time(r.GetInt64(1)), r.GetString(2), SqliteRows.NullableString(r, 3), SqliteRows.NullableLong(r, 4),
                SqliteRows.NullableLong(r, 5), SqliteRows.NullableString(r, 6), SqliteRows.NullableString(r, 7)));
        }, cancellationToken);

    /// <summary>The journal's query; its kinds are literals, so that the webhook deliveries' partial index (migration 17) serves it.</summary>
    internal static SqliteCommand JournalCommand(SqliteConnection connection, JournalQuery query)
    {
        var command = connection.CreateCommand();
        var kinds = query.LiteralKinds is { } literal ? $"AND kind IN ({string.Join(", ", literal.Select(k => $"'{k}'"))})" : "";
        command.CommandText =
            $"""
            SELECT seq, at, kind, job_name, run_id, trigger_id, node, data FROM journal
            WHERE (@run IS NULL OR run_id = @run) AND (@job IS NULL OR job_name = @job) AND (@after IS NULL OR seq > @after) AND {InNamespace("job_name")} {kinds}
            ORDER BY seq {(query.NewestFirst ? "DESC" : "")} LIMIT @limit
            """;
        command.Parameters.AddWithValue("@run", (object?)query.RunId ?? DBNull.Value);
        command.Parameters.AddWithValue("@job", (object?)query.JobName ?? DBNull.Value);
        command.Parameters.AddWithValue("@after", (object?)query.AfterSeq ?? DBNull.Value);
        command.Parameters.AddWithValue("@ns", (object?)Namespaces.Prefix(query.Namespace) ?? DBNull.Value);
        command.Parameters.AddWithValue("@limit", Math.Clamp(query.Limit, 1, 100_000));
        return command;
    }

    public Task<StoreStats> GetStatsAsync(string? ns, CancellationToken cancellationToken) =>
        Read(connection =>
        {
            using var command = connection.CreateCommand();
            command.Parameters.AddWithValue("@ns", (object?)Namespaces.Prefix(ns) ?? DBNull.Value);
            command.CommandText = $"SELECT state, COUNT(*) FROM runs WHERE {InNamespace("job_name")} GROUP BY state";
            var byState = SqliteRows.ReadAll(command, r => (r.GetString(0), r.GetInt64(1))).ToDictionary(x => x.Item1, x => x.Item2);
            // The journal's size is its highest sequence number, read at once; one namespace's share has to be counted.
            command.CommandText =
                $"""
                SELECT (SELECT COUNT(*) FROM jobs WHERE {InNamespace("name")}), (SELECT COUNT(*) FROM triggers WHERE {InNamespace("job_name")}),
                       CASE WHEN @ns IS NULL THEN (SELECT COALESCE(MAX(seq), 0) FROM journal) ELSE (SELECT COUNT(*) FROM journal WHERE {InNamespace("job_name")}) END
                """;
            var counts = SqliteRows.ReadAll(command, r => (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2))).Single();
            return new StoreStats(byState, counts.Item1, counts.Item2, counts.Item3);
        }, cancellationToken);

    public Task<IReadOnlyDictionary<string, long>> CountQueuedRunsByQueueAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyDictionary<string, long>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT queue, COUNT(*) FROM runs WHERE state = 'queued' GROUP BY queue";
            return SqliteRows.ReadAll(command, r => (r.GetString(0), r.GetInt64(1))).ToDictionary(x => x.Item1, x => x.Item2, StringComparer.Ordinal);
        }, cancellationToken);

    /// <summary>SQL true for the names in the namespace whose prefix is <c>@ns</c> (see <see cref="Namespaces.Prefix"/>); NULL <c>@ns</c>: every row.</summary>
    private static string InNamespace(string column) =>
        $"(@ns IS NULL OR (@ns = '' AND {column} NOT LIKE '%/%') OR (@ns <> '' AND substr({column}, 1, length(@ns)) = @ns))";
}

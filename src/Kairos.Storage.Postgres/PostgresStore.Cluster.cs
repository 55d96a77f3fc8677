namespace Kairos.Storage.Postgres;

/// <summary>
/// Nodes, leadership, the database clock and change notifications. Leadership is one lease row,
/// taken or renewed with one upsert: PostgreSQL locks the row and re-checks the condition against
/// the latest version, so of two nodes racing for an expired lease exactly one gets it.
/// </summary>
internal sealed partial class PostgresStore
{
    private static string ChangeChannel(string schema) => schema + "_changes";

    public Task<DateTimeOffset?> GetDatabaseTimeAsync(CancellationToken cancellationToken) =>
        Read(async scope => (DateTimeOffset?)Time((long)(await scope.Scalar("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint"))!),
            cancellationToken);

    public Task<IReadOnlyList<NodeRecord>> ListNodesAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<NodeRecord>>(async scope => await scope.Query(
            """
            SELECT n.id, n.host, n.version, n.started_at, n.last_seen_at, l.node IS NOT NULL
            FROM nodes n LEFT JOIN leadership l ON l.name = @name AND l.node = n.id AND l.expires_at > @now
            ORDER BY n.started_at, n.id
            """,
            r => new NodeRecord(r.GetString(0), r.GetString(1), r.GetString(2), Time(r.GetInt64(3)), Time(r.GetInt64(4)), r.GetBoolean(5)),
            ("name", ClusterRules.Leadership), ("now", Ms(now))), cancellationToken);

    public Drivers.INotifier Notifier => _notifier;

    /// <summary>Takes the lease row; see <see cref="Drivers.IDriverTransaction.TakeLeaseAsync"/>.</summary>
    private static async Task<(bool Taken, string? Previous)> TakeLease(PgScope scope, string name, string node, DateTimeOffset now, DateTimeOffset until)
    {
        // RETURNING sees the row after the update; the holder before it comes from the statement's snapshot.
        var row = await scope.Query(
            """
            WITH before AS (SELECT node FROM leadership WHERE name = @name)
            INSERT INTO leadership (name, node, since, expires_at) VALUES (@name, @node, @now, @until)
            ON CONFLICT (name) DO UPDATE SET
                since = CASE WHEN leadership.node = excluded.node THEN leadership.since ELSE excluded.since END,
                node = excluded.node, expires_at = excluded.expires_at
            WHERE leadership.node = excluded.node OR leadership.expires_at <= @now
            RETURNING (SELECT node FROM before)
            """,
            r => PostgresRows.Text(r, 0),
            ("name", name), ("node", node), ("now", Ms(now)), ("until", Ms(until)));
        return row.Count == 0 ? (false, null) : (true, row[0]);
    }
}

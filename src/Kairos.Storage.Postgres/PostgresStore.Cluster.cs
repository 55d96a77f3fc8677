using Npgsql;

namespace Kairos.Storage.Postgres;

/// <summary>
/// Nodes, leadership, the database clock and change notifications. Leadership is one lease row,
/// taken or renewed with one upsert: PostgreSQL locks the row and re-checks the condition against
/// the latest version, so of two nodes racing for an expired lease exactly one gets it.
/// </summary>
internal sealed partial class PostgresStore
{
    /// <summary>How long a listening connection waits for a notification before it checks the connection is alive.</summary>
    private static readonly TimeSpan ListenProbeInterval = TimeSpan.FromSeconds(30);

    private static string ChangeChannel(string schema) => schema + "_changes";

    public Task<DateTimeOffset?> GetDatabaseTimeAsync(CancellationToken cancellationToken) =>
        Read(async scope => (DateTimeOffset?)Time((long)(await scope.Scalar("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint"))!),
            cancellationToken);

    public Task RecordNodeAsync(NodeInfo node, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(async scope =>
        {
            await scope.Execute(
                """
                INSERT INTO nodes (id, host, version, started_at, last_seen_at) VALUES (@id, @host, @version, @started, @now)
                ON CONFLICT (id) DO UPDATE SET last_seen_at = excluded.last_seen_at, host = excluded.host, version = excluded.version
                """,
                ("id", node.Id), ("host", node.Host), ("version", node.Version), ("started", Ms(node.StartedAt)), ("now", Ms(now)));
            return await scope.Execute("DELETE FROM nodes WHERE last_seen_at < @forget", ("forget", Ms(now - ClusterRules.ForgetNodesAfter)));
        }, cancellationToken);

    public Task RemoveNodeAsync(string nodeId, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(async scope =>
        {
            await scope.Execute("DELETE FROM nodes WHERE id = @id", ("id", nodeId));
            if (await scope.Execute("DELETE FROM leadership WHERE name = @name AND node = @id", ("name", ClusterRules.Leadership), ("id", nodeId)) > 0)
            {
                await Journal(scope, now, "leader.resigned", null, null, null, ClusterRules.LeaderNote(nodeId, null));
                scope.Announce(StoreChanges.Leadership);
            }
            return 0;
        }, cancellationToken);

    public Task<IReadOnlyList<NodeRecord>> ListNodesAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<NodeRecord>>(async scope => await scope.Query(
            """
            SELECT n.id, n.host, n.version, n.started_at, n.last_seen_at, l.node IS NOT NULL
            FROM nodes n LEFT JOIN leadership l ON l.name = @name AND l.node = n.id AND l.expires_at > @now
            ORDER BY n.started_at, n.id
            """,
            r => new NodeRecord(r.GetString(0), r.GetString(1), r.GetString(2), Time(r.GetInt64(3)), Time(r.GetInt64(4)), r.GetBoolean(5)),
            ("name", ClusterRules.Leadership), ("now", Ms(now))), cancellationToken);

    public Task<bool> TryLeadAsync(string nodeId, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken) =>
        Write(async scope =>
        {
            // RETURNING sees the row after the update; the leader before it comes from the statement's snapshot.
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
                ("name", ClusterRules.Leadership), ("node", nodeId), ("now", Ms(now)), ("until", Ms(until)));
            if (row.Count == 0)
            {
                return false;
            }
            if (row[0] != nodeId)
            {
                await Journal(scope, now, "leader.elected", null, null, null, ClusterRules.LeaderNote(nodeId, row[0]));
            }
            return true;
        }, cancellationToken);

    public async Task ListenAsync(Action<StoreChanges> onChange, CancellationToken stopping)
    {
        EnsureMigrated();
        await using var connection = await _dataSource.OpenConnectionAsync(stopping).ConfigureAwait(false);
        connection.Notification += (_, e) =>
        {
            if (PgChangeNotifier.Parse(e.Payload) is { } change && change.Node != _node)
            {
                onChange(change.Changes);
            }
        };
        await using (var listen = new NpgsqlCommand($"LISTEN \"{ChangeChannel(_schema)}\"", connection))
        {
            await listen.ExecuteNonQueryAsync(stopping).ConfigureAwait(false);
        }
        onChange(StoreChanges.All); // Whatever changed before we listened was not heard.
        while (true)
        {
            if (!await connection.WaitAsync(ListenProbeInterval, stopping).ConfigureAwait(false))
            {
                // Quiet for a while: make sure the connection is alive, or fail so the caller listens again.
                await using var probe = new NpgsqlCommand("SELECT 1", connection);
                await probe.ExecuteNonQueryAsync(stopping).ConfigureAwait(false);
            }
        }
    }
}

using Microsoft.Data.Sqlite;

namespace Kairos.Storage.Sqlite;

/// <summary>
/// Nodes and leadership. One process owns a SQLite file, so this is a cluster of one: the node
/// registers and leads like any other, by the same rules as on PostgreSQL.
/// </summary>
internal sealed partial class SqliteStore
{
    /// <summary>SQLite has no clock of its own: the node's clock is the time reference.</summary>
    public Task<DateTimeOffset?> GetDatabaseTimeAsync(CancellationToken cancellationToken) => Task.FromResult<DateTimeOffset?>(null);

    public Task<IReadOnlyList<NodeRecord>> ListNodesAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<NodeRecord>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText =
                """
                SELECT n.id, n.host, n.version, n.started_at, n.last_seen_at, l.node IS NOT NULL
                FROM nodes n LEFT JOIN leadership l ON l.name = @name AND l.node = n.id AND l.expires_at > @now
                ORDER BY n.started_at, n.id
                """;
            command.Parameters.AddWithValue("@name", ClusterRules.Leadership);
            command.Parameters.AddWithValue("@now", Ms(now));
            return SqliteRows.ReadAll(command, r => new NodeRecord(
                r.GetString(0), r.GetString(1), r.GetString(2), Time(r.GetInt64(3)), Time(r.GetInt64(4)), r.GetInt64(5) != 0));
        }, cancellationToken);

    public Drivers.INotifier Notifier => Drivers.SilentNotifier.Instance;

    /// <summary>Node and lease rows for the leadership rules (<see cref="Engine.Cluster.Leadership"/>).</summary>
    private static void SaveNode(SqliteWriteScope scope, NodeInfo node, DateTimeOffset now) =>
        scope.Execute(
            """
            INSERT INTO nodes (id, host, version, started_at, last_seen_at) VALUES (@id, @host, @version, @started, @now)
            ON CONFLICT (id) DO UPDATE SET last_seen_at = excluded.last_seen_at, host = excluded.host, version = excluded.version
            """,
            ("@id", node.Id), ("@host", node.Host), ("@version", node.Version), ("@started", Ms(node.StartedAt)), ("@now", Ms(now)));

    private static (bool Taken, string? Previous) TakeLease(SqliteWriteScope scope, string name, string node, DateTimeOffset now, DateTimeOffset until)
    {
        var previous = scope.Scalar("SELECT node FROM leadership WHERE name = @name", ("@name", name)) as string;
        var taken = scope.Execute(
            """
            INSERT INTO leadership (name, node, since, expires_at) VALUES (@name, @node, @now, @until)
            ON CONFLICT (name) DO UPDATE SET
                since = CASE WHEN leadership.node = excluded.node THEN leadership.since ELSE excluded.since END,
                node = excluded.node, expires_at = excluded.expires_at
            WHERE leadership.node = excluded.node OR leadership.expires_at <= @now
            """,
            ("@name", name), ("@node", node), ("@now", Ms(now)), ("@until", Ms(until))) > 0;
        return (taken, previous);
    }
}

using System.Text.RegularExpressions;
using Npgsql;

namespace Kairos.Storage.Postgres;

/// <summary>
/// The store for a cluster: PostgreSQL, shared by every node. Each write method is one transaction
/// (its state change and its journal entries commit together); reads use pooled connections from
/// one <see cref="NpgsqlDataSource"/>. Tables live in their own schema (default <c>kairos</c>),
/// selected through the connection's search_path. Times are stored as Unix milliseconds (bigint,
/// UTC), as in the SQLite store.
/// </summary>
internal sealed partial class PostgresStore : IKairosStore
{
    public const string DefaultSchema = "kairos";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;
    private readonly string _node;
    private readonly PgChangeNotifier _notifier;
    private readonly PgGroupCommit<RunCompletion, bool> _completions;
    private readonly PgGroupCommit<(Model.RunRequest Request, DateTimeOffset Now), Model.EnqueueResult> _enqueues;
    private bool _migrated;

    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="node">This process's node id, recorded in the journal.</param>
    /// <param name="schema">The schema holding Kairos's tables; created on first start.</param>
    public PostgresStore(string connectionString, string node, string schema = DefaultSchema)
    {
        if (!Regex.IsMatch(schema, "^[a-z_][a-z0-9_]{0,62}$"))
        {
            throw new ArgumentException($"schema '{schema}' is not a plain PostgreSQL identifier (lower-case letters, digits, '_')", nameof(schema));
        }
        _schema = schema;
        _node = node;
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema };
        if (builder.MaxAutoPrepare == 0)
        {
            // Prepared statements: the hot statements (enqueue, claim, complete, journal) are the same
            // few SQL texts, parsed and planned once per connection instead of on every call.
            builder.MaxAutoPrepare = 64;
        }
        // The store never leaves session state behind (its settings and locks are transaction-scoped),
        // so a pooled connection needs no reset commands when it goes back to the pool.
        builder.NoResetOnClose = true;
        _dataSource = NpgsqlDataSource.Create(builder);
        _notifier = new PgChangeNotifier(_dataSource, ChangeChannel(schema), node);
        _completions = new PgGroupCommit<RunCompletion, bool>(CompleteManyAsync, CompleteOneAsync, MaxGroupCommit);
        _enqueues = new PgGroupCommit<(Model.RunRequest Request, DateTimeOffset Now), Model.EnqueueResult>(
            EnqueueBatchAsync, item => Write(scope => EnqueueInScope(scope, item.Request, item.Now), CancellationToken.None), MaxGroupCommit);
    }

    /// <summary>The most writes of one kind committed together.</summary>
    private const int MaxGroupCommit = 256;

    public string Schema => _schema;

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await PostgresMigrations.ApplyAsync(connection, _schema, cancellationToken).ConfigureAwait(false);
            _migrated = true;
        }
        catch (NpgsqlException ex)
        {
            throw new KairosStoreException($"cannot open the PostgreSQL schema '{_schema}': {ex.Message}", ex);
        }
    }

    /// <summary>Runs <paramref name="work"/> in one transaction and commits it; any exception rolls it back.</summary>
    private async Task<T> Write<T>(Func<PgScope, Task<T>> work, CancellationToken cancellationToken)
    {
        EnsureMigrated();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var scope = new PgScope(connection, transaction, cancellationToken);
        var result = await work(scope).ConfigureAwait(false);
        await scope.CommitAsync().ConfigureAwait(false);
        _notifier.Announce(scope.Changes);
        return result;
    }

    private async Task<T> Read<T>(Func<PgScope, Task<T>> work, CancellationToken cancellationToken)
    {
        EnsureMigrated();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await work(new PgScope(connection, null, cancellationToken)).ConfigureAwait(false);
    }

    private void EnsureMigrated()
    {
        if (!_migrated)
        {
            throw new InvalidOperationException("call MigrateAsync before using the store");
        }
    }

    /// <summary>Journal entries in one statement, in the order given, sent with the transaction's next statement.</summary>
    private void JournalMany(PgScope scope, IReadOnlyList<Drivers.JournalWrite> entries)
    {
        if (entries.Count > 0)
        {
            scope.Defer(
                """
                INSERT INTO journal (at, kind, job_name, run_id, trigger_id, node, data)
                SELECT e.at, e.kind, e.job, e.run, e.trigger, @node, e.data
                FROM unnest(@at, @kind, @job::text[], @run::bigint[], @trigger::bigint[], @data::text[]) WITH ORDINALITY AS e(at, kind, job, run, trigger, data, ord) ORDER BY e.ord
                """,
                ("at", entries.Select(e => Ms(e.At)).ToArray()), ("kind", entries.Select(e => e.Kind).ToArray()), ("job", entries.Select(e => e.JobName).ToArray()),
                ("run", entries.Select(e => e.RunId).ToArray()), ("trigger", entries.Select(e => e.TriggerId).ToArray()), ("data", entries.Select(e => e.Data).ToArray()),
                ("node", _node));
        }
    }

    private void Journal(PgScope scope, DateTimeOffset at, string kind, string? job, long? runId, long? triggerId, string? data) =>
        scope.Defer(
            "INSERT INTO journal (at, kind, job_name, run_id, trigger_id, node, data) VALUES (@at, @kind, @job::text, @run::bigint, @trigger::bigint, @node, @data::text)",
            ("at", Ms(at)), ("kind", kind), ("job", job), ("run", runId), ("trigger", triggerId), ("node", _node), ("data", data));

    internal static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    internal static long? Ms(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();

    internal static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public async ValueTask DisposeAsync()
    {
        await _notifier.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }
}

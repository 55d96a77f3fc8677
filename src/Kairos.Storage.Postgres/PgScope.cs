using Npgsql;

namespace Kairos.Storage.Postgres;

/// <summary>
/// One connection (and, for writes, its transaction) as seen by one store method. Parameters are
/// named without the '@'; a null value is sent as SQL NULL, so SQL that tests a nullable parameter
/// casts it (<c>@job::text IS NULL</c>) for PostgreSQL to know its type.
/// </summary>
internal sealed class PgScope(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
{
    /// <summary>What this write changes that other nodes should hear of once it commits.</summary>
    public StoreChanges Changes { get; private set; }

    public void Announce(StoreChanges changes) => Changes |= changes;

    // Statements deferred by Defer, in order, sent ahead of the next statement in one round trip.
    private List<NpgsqlBatchCommand>? _deferred;

    /// <summary>
    /// Queues a statement that returns no rows and whose row count no one needs (a journal or log
    /// insert, a transaction setting), to go to the server together with the next statement, or with
    /// the commit (<see cref="CommitAsync"/>): one round trip fewer. Statements still run in the order
    /// they were issued, so a later statement sees a deferred one's effect; only an error in a
    /// deferred statement surfaces at the next statement instead, failing the transaction as before.
    /// </summary>
    public void Defer(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        AddParameters(command.Parameters, parameters);
        (_deferred ??= []).Add(command);
    }

    /// <summary>
    /// Commits the transaction, with what is still deferred in the same round trip: PostgreSQL runs
    /// the batch's COMMIT after its statements, and Npgsql sees the transaction end (the server's
    /// ready-for-query status), so the transaction object is then complete and its disposal does
    /// nothing. If a deferred statement fails, the COMMIT is skipped with it and the disposal rolls back.
    /// </summary>
    public async Task CommitAsync()
    {
        if (_deferred is null)
        {
            await transaction!.CommitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        await using var batch = Batch("COMMIT", []);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var batch = Batch(sql, parameters);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return batch.BatchCommands[^1].RecordsAffected;
    }

    public async Task<object?> Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        // Deferred statements return no rows, so the first value read is this statement's.
        await using var batch = Batch(sql, parameters);
        var value = await batch.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }

    public async Task<List<T>> Query<T>(string sql, Func<NpgsqlDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        await using var batch = Batch(sql, parameters);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(map(reader));
        }
        return list;
    }

    // The deferred statements, then this one.
    private NpgsqlBatch Batch(string sql, (string Name, object? Value)[] parameters)
    {
        var batch = new NpgsqlBatch(connection, transaction);
        foreach (var deferred in _deferred ?? [])
        {
            batch.BatchCommands.Add(deferred);
        }
        _deferred = null;
        var command = new NpgsqlBatchCommand(sql);
        AddParameters(command.Parameters, parameters);
        batch.BatchCommands.Add(command);
        return batch;
    }

    private static void AddParameters(NpgsqlParameterCollection target, (string Name, object? Value)[] parameters)
    {
        foreach (var (name, value) in parameters)
        {
            target.AddWithValue(name, value ?? DBNull.Value);
        }
    }
}

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

    public NpgsqlCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    public async Task<int> Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<object?> Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }

    public async Task<List<T>> Query<T>(string sql, Func<NpgsqlDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(map(reader));
        }
        return list;
    }
}

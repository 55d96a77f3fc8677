using System.Data.Common;
using System.Globalization;
using System.Text.Json.Nodes;
using Kairos.Model;

namespace Kairos.Polling;

/// <summary>
/// The built-in SQL poll (<see cref="SqlPollSpec"/>), the database-change trigger: runs the query
/// with @watermark = the stored watermark (NULL on the first poll) and fires once per returned row
/// whose watermark column is above it, in watermark order, at most <see cref="MaxFiresPerPoll"/> per
/// poll (the rest come with the next poll). Each row's run is enqueued in the transaction that stores
/// that row's watermark, so a row fires once even across crashes. Context: the row as a JSON object.
/// </summary>
internal sealed class SqlPoller(SqlPollSpec spec, TimeSpan interval, IReadOnlyDictionary<string, Func<string, DbConnection>> providers) : IPollTrigger
{
    public const int MaxFiresPerPoll = 1000;

    public string Name => "sql";

    public TimeSpan Interval => interval;

    public bool AllowConcurrent => false;

    public async Task<PollResult> PollAsync(PollContext context, CancellationToken cancellationToken)
    {
        if (!providers.TryGetValue(spec.Provider, out var factory))
        {
            var known = providers.Count == 0 ? "none" : string.Join(", ", providers.Keys.Order(StringComparer.Ordinal));
            throw new InvalidOperationException($"no SQL poll provider '{spec.Provider}' is registered in this host (registered: {known})");
        }
        var stored = SqlWatermark.Parse(context.State);
        var rows = new List<(SqlWatermark Watermark, JsonObject Row)>();
        var connection = factory(ConnectionString(spec.Connection));
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = spec.Query;
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@watermark";
                parameter.Value = stored?.Value ?? DBNull.Value;
                command.Parameters.Add(parameter);
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var column = WatermarkColumn(reader);
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        var watermark = SqlWatermark.From(reader.GetValue(column), spec.Watermark);
                        if (watermark is not null && (stored is null || watermark.CompareTo(stored) > 0))
                        {
                            rows.Add((watermark, Row(reader)));
                        }
                    }
                }
            }
        }
        return PollResult.FireEach(rows
            .OrderBy(r => r.Watermark) // Stable: rows with the same watermark keep the query's order.
            .Take(MaxFiresPerPoll)
            .Select(r => new PollFire(r.Row) { State = r.Watermark.ToState() }));
    }

    /// <summary><c>env:NAME</c> reads the connection string from environment variable NAME.</summary>
    internal static string ConnectionString(string connection)
    {
        if (!connection.StartsWith("env:", StringComparison.Ordinal))
        {
            return connection;
        }
        var name = connection["env:".Length..];
        return Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"environment variable {name} (the SQL poll's connection string) is not set");
    }

    private int WatermarkColumn(DbDataReader reader)
    {
        for (var i = 0; i < reader.FieldCount; i++)
        {
            if (string.Equals(reader.GetName(i), spec.Watermark, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        throw new InvalidOperationException($"the query returns no column '{spec.Watermark}' (the watermark)");
    }

    private static JsonObject Row(DbDataReader reader)
    {
        var row = new JsonObject();
        for (var i = 0; i < reader.FieldCount; i++)
        {
            row[reader.GetName(i)] = reader.IsDBNull(i) ? null : Value(reader.GetValue(i));
        }
        return row;
    }

    private static JsonNode? Value(object value) => value switch
    {
        bool b => JsonValue.Create(b),
        sbyte or byte or short or ushort or int or uint or long => JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        ulong u => JsonValue.Create(u),
        float or double when double.IsFinite(Convert.ToDouble(value, CultureInfo.InvariantCulture)) => JsonValue.Create(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
        decimal m => JsonValue.Create(m),
        string s => JsonValue.Create(s),
        DateTime dt => JsonValue.Create(dt.ToString("O", CultureInfo.InvariantCulture)),
        DateTimeOffset dto => JsonValue.Create(dto.ToString("O", CultureInfo.InvariantCulture)),
        byte[] bytes => JsonValue.Create(Convert.ToBase64String(bytes)),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };
}

using System.Globalization;
using System.Text.Json.Nodes;

namespace Kairos.Polling;

/// <summary>
/// A SQL poll's watermark: a value of the watermark column, kept with its kind so the next poll
/// passes @watermark with the type the database returned (integer, number, decimal, text, date and
/// time). Stored as <c>{"kind": "...", "value": ...}</c> in the trigger's state.
/// </summary>
internal sealed class SqlWatermark : IComparable<SqlWatermark>
{
    private SqlWatermark(string kind, object value)
    {
        Kind = kind;
        Value = value;
    }

    public string Kind { get; }

    /// <summary>The value as the provider gets it for @watermark.</summary>
    public object Value { get; }

    /// <summary>The watermark of a column value; null for SQL NULL, which is never above any watermark.</summary>
    public static SqlWatermark? From(object? value, string column) => value switch
    {
        null or DBNull => null,
        sbyte or byte or short or ushort or int or uint or long => new("integer", Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        ulong u => u <= long.MaxValue ? new("integer", (long)u) : new("decimal", (decimal)u),
        float or double => new("number", Convert.ToDouble(value, CultureInfo.InvariantCulture)),
        decimal m => new("decimal", m),
        string s => new("text", s),
        DateTime dt => new("datetime", dt),
        DateTimeOffset dto => new("datetimeoffset", dto),
        _ => throw new InvalidOperationException(
            $"the watermark column '{column}' holds values of type {value.GetType().Name}; use a number, text or a date and time"),
    };

    /// <summary>The stored watermark, or null when none is stored yet (the first poll gets @watermark = NULL).</summary>
    public static SqlWatermark? Parse(string? state)
    {
        if (state is null || JsonNode.Parse(state) is not JsonObject obj || obj["kind"]?.GetValue<string>() is not { } kind || obj["value"] is not { } value)
        {
            return null;
        }
        return kind switch
        {
            "integer" => new(kind, value.GetValue<long>()),
            "number" => new(kind, value.GetValue<double>()),
            "decimal" => new(kind, decimal.Parse(value.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture)),
            "text" => new(kind, value.GetValue<string>()),
            "datetime" => new(kind, DateTime.Parse(value.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)),
            "datetimeoffset" => new(kind, DateTimeOffset.Parse(value.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)),
            _ => throw new InvalidOperationException($"the stored watermark has an unknown kind '{kind}'"),
        };
    }

    /// <summary>The trigger state that stores this watermark.</summary>
    public string ToState()
    {
        JsonNode value = Value switch
        {
            long l => JsonValue.Create(l),
            double d => JsonValue.Create(d),
            decimal m => JsonValue.Create(m.ToString(CultureInfo.InvariantCulture)),
            string s => JsonValue.Create(s),
            DateTime dt => JsonValue.Create(dt.ToString("O", CultureInfo.InvariantCulture)),
            DateTimeOffset dto => JsonValue.Create(dto.ToString("O", CultureInfo.InvariantCulture)),
            _ => throw new InvalidOperationException("unreachable"),
        };
        return new JsonObject { ["kind"] = Kind, ["value"] = value }.ToJsonString();
    }

    public int CompareTo(SqlWatermark? other)
    {
        ArgumentNullException.ThrowIfNull(other);
        switch (Value, other.Value)
        {
            case (long a, long b):
                return a.CompareTo(b);
            case (string a, string b):
                return string.CompareOrdinal(a, b);
            case (DateTime or DateTimeOffset, DateTime or DateTimeOffset):
                return Instant(Value).CompareTo(Instant(other.Value));
            case (long or double or decimal, long or double or decimal):
                return TryDecimal(Value, out var x) && TryDecimal(other.Value, out var y)
                    ? x.CompareTo(y)
                    : Convert.ToDouble(Value, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(other.Value, CultureInfo.InvariantCulture));
            default:
                throw new InvalidOperationException($"the watermark column changed type: the stored watermark is {other.Kind}, the query returned {Kind}");
        }
    }

    public override string ToString() => $"{Kind} {ToState()}";

    /// <summary>A DateTime without a zone is taken as UTC.</summary>
    private static DateTimeOffset Instant(object value) => value switch
    {
        DateTimeOffset dto => dto,
        DateTime { Kind: DateTimeKind.Unspecified } dt => new DateTimeOffset(dt, TimeSpan.Zero),
        DateTime dt => new DateTimeOffset(dt.ToUniversalTime()),
        _ => throw new InvalidOperationException("unreachable"),
    };

    private static bool TryDecimal(object value, out decimal result)
    {
        switch (value)
        {
            case long l:
                result = l;
                return true;
            case decimal m:
                result = m;
                return true;
            case double d when double.IsFinite(d) && Math.Abs(d) < 7.9e28:
                result = (decimal)d;
                return true;
            default:
                result = 0;
                return false;
        }
    }
}

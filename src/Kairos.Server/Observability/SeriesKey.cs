using System.Globalization;

namespace Kairos.Server.Observability;

/// <summary>
/// A measurement's tags as a dictionary key that costs no allocation to look up for up to three
/// string tags (every Kairos instrument has at most two): names and values in the order given, as
/// each instrument passes its tags in one order. More tags, or values that are not strings, are
/// turned into text.
/// </summary>
internal readonly record struct SeriesKey(string? Name0, string? Value0, string? Name1, string? Value1, string? Name2, string? Value2, string? Rest)
{
    public static SeriesKey From(ReadOnlySpan<KeyValuePair<string, object?>> tags) => tags.Length switch
    {
        0 => default,
        1 => new(tags[0].Key, Text(tags[0].Value), null, null, null, null, null),
        2 => new(tags[0].Key, Text(tags[0].Value), tags[1].Key, Text(tags[1].Value), null, null, null),
        3 => new(tags[0].Key, Text(tags[0].Value), tags[1].Key, Text(tags[1].Value), tags[2].Key, Text(tags[2].Value), null),
        _ => new(tags[0].Key, Text(tags[0].Value), tags[1].Key, Text(tags[1].Value), tags[2].Key, Text(tags[2].Value), RestText(tags[3..])),
    };

    /// <summary>The tags as (name, value) pairs, in the order given.</summary>
    public IEnumerable<(string Name, string Value)> Labels()
    {
        if (Name0 is not null)
        {
            yield return (Name0, Value0 ?? "");
        }
        if (Name1 is not null)
        {
            yield return (Name1, Value1 ?? "");
        }
        if (Name2 is not null)
        {
            yield return (Name2, Value2 ?? "");
        }
        if (Rest is not null)
        {
            foreach (var pair in Rest.Split('\u0001'))
            {
                var split = pair.IndexOf('\u0002', StringComparison.Ordinal);
                yield return (pair[..split], pair[(split + 1)..]);
            }
        }
    }

    public override string ToString() => string.Join(",", Labels().Select(l => $"{l.Name}={l.Value}"));

    private static string? Text(object? value) => value as string ?? Convert.ToString(value, CultureInfo.InvariantCulture);

    private static string RestText(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var parts = new List<string>(tags.Length);
        foreach (var tag in tags)
        {
            parts.Add(tag.Key + '\u0002' + Text(tag.Value));
        }
        return string.Join('\u0001', parts);
    }
}

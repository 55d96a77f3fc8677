using System.Globalization;
using System.Text;

namespace Kairos.Tests.Server.Observability;

/// <summary>
/// A strict reader of the Prometheus text format (0.0.4), written for the tests: every line is a
/// <c># HELP</c>, a <c># TYPE</c> or a sample <c>name{label="value",…} number</c>; every sample belongs
/// to a family whose TYPE came first (a histogram's samples end in _bucket, _sum or _count); label
/// values use only the escapes \\ \" \n; a histogram's buckets never decrease and its +Inf bucket
/// equals its count. Anything else throws, naming the line.
/// </summary>
internal sealed class PrometheusScrape
{
    private readonly List<Sample> _samples = [];
    private readonly Dictionary<string, string> _types = new(StringComparer.Ordinal);

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public IReadOnlyDictionary<string, string> Types => _types;

    public static PrometheusScrape Parse(string text)
    {
        var scrape = new PrometheusScrape();
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw new FormatException("the exposition does not end with a line feed");
        }
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length - 1; i++)
        {
            scrape.Read(lines[i], i + 1);
        }
        scrape.CheckHistograms();
        return scrape;
    }

    /// <summary>The value of the one sample with this name and exactly these labels; throws when there is none.</summary>
    public double Value(string name, params (string Label, string Value)[] labels) =>
        Find(name, labels) ?? throw new KeyNotFoundException($"no sample {name}{{{string.Join(",", labels.Select(l => $"{l.Label}=\"{l.Value}\""))}}}");

    public double? Find(string name, params (string Label, string Value)[] labels) =>
        _samples.SingleOrDefault(s => s.Name == name && s.Labels.Count == labels.Length && labels.All(l => s.Labels.GetValueOrDefault(l.Label) == l.Value))?.Value;

    private void Read(string line, int number)
    {
        if (line.StartsWith("# HELP ", StringComparison.Ordinal))
        {
            return;
        }
        if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
        {
            var parts = line[7..].Split(' ');
            if (parts.Length != 2 || !IsName(parts[0]) || parts[1] is not ("counter" or "gauge" or "histogram" or "summary" or "untyped"))
            {
                throw new FormatException($"line {number}: malformed TYPE: {line}");
            }
            if (!_types.TryAdd(parts[0], parts[1]))
            {
                throw new FormatException($"line {number}: a second TYPE for {parts[0]}");
            }
            return;
        }
        if (line.StartsWith('#') || line.Length == 0)
        {
            throw new FormatException($"line {number}: neither HELP, TYPE nor a sample: '{line}'");
        }
        var at = 0;
        while (at < line.Length && line[at] is not ('{' or ' '))
        {
            at++;
        }
        var name = line[..at];
        if (!IsName(name))
        {
            throw new FormatException($"line {number}: bad metric name '{name}'");
        }
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (at < line.Length && line[at] == '{')
        {
            at++;
            while (line[at] != '}')
            {
                var eq = line.IndexOf('=', at);
                var label = line[at..eq];
                if (!IsName(label) || line[eq + 1] != '"')
                {
                    throw new FormatException($"line {number}: bad label at column {at + 1}");
                }
                at = eq + 2;
                var value = new StringBuilder();
                while (line[at] != '"')
                {
                    if (line[at] == '\\')
                    {
                        value.Append(line[at + 1] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            var other => throw new FormatException($"line {number}: unknown escape \\{other}"),
                        });
                        at += 2;
                    }
                    else
                    {
                        value.Append(line[at++]);
                    }
                }
                if (!labels.TryAdd(label, value.ToString()))
                {
                    throw new FormatException($"line {number}: label {label} twice");
                }
                at++;
                if (line[at] == ',')
                {
                    at++;
                }
                else if (line[at] != '}')
                {
                    throw new FormatException($"line {number}: expected , or }} at column {at + 1}");
                }
            }
            at++;
        }
        if (at >= line.Length || line[at] != ' ')
        {
            throw new FormatException($"line {number}: no space before the value");
        }
        var text = line[(at + 1)..];
        var parsed = text switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"line {number}: bad value '{text}'"),
        };
        if (FamilyOf(name) is not { } family)
        {
            throw new FormatException($"line {number}: sample {name} has no TYPE before it");
        }
        if (_types[family] == "histogram" && name.EndsWith("_bucket", StringComparison.Ordinal) != labels.ContainsKey("le"))
        {
            throw new FormatException($"line {number}: a histogram bucket needs le, and only a bucket has it");
        }
        _samples.Add(new Sample(name, labels, parsed));
    }

    private string? FamilyOf(string name)
    {
        if (_types.ContainsKey(name))
        {
            return name;
        }
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && _types.GetValueOrDefault(name[..^suffix.Length]) == "histogram")
            {
                return name[..^suffix.Length];
            }
        }
        return null;
    }

    private void CheckHistograms()
    {
        foreach (var family in _types.Where(t => t.Value == "histogram").Select(t => t.Key))
        {
            foreach (var series in _samples.Where(s => s.Name == family + "_bucket").GroupBy(s => Key(s.Labels.Where(l => l.Key != "le"))))
            {
                var previous = 0.0;
                foreach (var bucket in series)
                {
                    if (bucket.Value < previous)
                    {
                        throw new FormatException($"{family}{{{series.Key}}}: bucket le={bucket.Labels["le"]} is below the one before");
                    }
                    previous = bucket.Value;
                }
                var count = _samples.Single(s => s.Name == family + "_count" && Key(s.Labels) == series.Key).Value;
                if (series.Last().Labels["le"] != "+Inf" || series.Last().Value != count)
                {
                    throw new FormatException($"{family}{{{series.Key}}}: the last bucket is not +Inf equal to the count {count}");
                }
            }
        }
    }

    private static string Key(IEnumerable<KeyValuePair<string, string>> labels) =>
        string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    private static bool IsName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');
}

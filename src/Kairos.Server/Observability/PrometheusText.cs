using System.Globalization;
using System.Text;

namespace Kairos.Server.Observability;

/// <summary>The Prometheus text exposition format (version 0.0.4): names, escaping, sample lines.</summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>An instrument's name as a metric or label name: characters outside <c>[a-zA-Z0-9_]</c> become <c>_</c>, and a leading digit gets one before it.</summary>
    public static string MetricName(string name)
    {
        var text = new StringBuilder(name.Length + 1);
        foreach (var c in name)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }
        if (text.Length == 0 || char.IsAsciiDigit(text[0]))
        {
            text.Insert(0, '_');
        }
        return text.ToString();
    }

    /// <summary>A label value: backslash, double quote and line feed escaped.</summary>
    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", @"\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

    /// <summary>A HELP text: backslash and line feed escaped.</summary>
    public static string EscapeHelp(string help) =>
        help.Replace("\\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

    /// <summary>Writes <c>name{labels,le="bound"} value</c> and a line feed.</summary>
    public static void Sample(TextWriter output, string name, SeriesKey key, string? le, double value)
    {
        output.Write(name);
        var first = true;
        foreach (var (label, text) in key.Labels())
        {
            Label(output, ref first, MetricName(label), text);
        }
        if (le is not null)
        {
            Label(output, ref first, "le", le);
        }
        if (!first)
        {
            output.Write('}');
        }
        output.Write(' ');
        output.Write(Number(value));
        output.Write('\n');
    }

    public static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static void Label(TextWriter output, ref bool first, string name, string value)
    {
        output.Write(first ? '{' : ',');
        first = false;
        output.Write(name);
        output.Write("=\"");
        output.Write(EscapeLabelValue(value));
        output.Write('"');
    }
}

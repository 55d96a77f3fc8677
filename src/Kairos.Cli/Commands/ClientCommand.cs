using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kairos.Cli.Commands;

/// <summary>What every client command shares: --server/--api-key/--json parsing and printing JSON or a table.</summary>
internal static class ClientCommand
{
    public static readonly string[] CommonFlags = ["--json"];
    public static readonly string[] CommonValued = ["--server", "--api-key", "--namespace"];
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static CliArgs Parse(string[] rest, string[]? flags = null, string[]? valued = null, string[]? durationFlags = null) =>
        CliArgs.Parse(rest, [.. CommonFlags, .. flags ?? []], [.. CommonValued, .. valued ?? []], durationFlags);

    /// <summary>An API path with a query string made of the given options that were set ("--job" becomes "job=").</summary>
    public static string WithQuery(string path, CliArgs args, params string[] options)
    {
        var query = options
            .Where(args.Has)
            .Select(o => $"{o.TrimStart('-')}={Uri.EscapeDataString(args.Get(o) ?? "")}")
            .ToList();
        return query.Count == 0 ? path : path + "?" + string.Join("&", query);
    }

    public static void PrintJson(TextWriter output, JsonNode? node) => output.WriteLine(node?.ToJsonString(Indented) ?? "null");

    public static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };

    /// <summary>A time from the API shown compactly in UTC.</summary>
    public static string? Time(JsonNode? node) =>
        Text(node) is { } text && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var t)
            ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)
            : null;
}

using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kairos.Cli.Commands;

/// <summary>What every client command shares: query strings from options, and printing JSON, texts and times.</summary>
internal static class ClientCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions OneLine = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

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

    /// <summary>A JSON array printed as <see cref="PrintJson"/> prints it, one element at a time as they come: a long list is never held whole.</summary>
    public sealed class JsonArrayWriter(TextWriter output)
    {
        private bool _any;

        public void Add(JsonNode element)
        {
            output.Write(_any ? ",\n  " : "[\n  ");
            output.Write(element.ToJsonString(Indented).ReplaceLineEndings("\n  "));
            _any = true;
        }

        public void End() => output.WriteLine(_any ? "\n]" : "[]");
    }

    /// <summary>JSON on one line as a person reads it (a table cell): "+" and non-ASCII as they are, not escaped.</summary>
    public static string? OneLineJson(JsonNode? node) => node?.ToJsonString(OneLine);

    public static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(OneLine),
    };

    /// <summary>A time from the API shown compactly in UTC.</summary>
    public static string? Time(JsonNode? node) =>
        Text(node) is { } text && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var t)
            ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)
            : null;

    /// <summary>A JSON option's value, or a usage error naming the option.</summary>
    public static JsonNode? JsonOption(string text, string option)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new UsageException($"{option} is not valid JSON: {ex.Message}");
        }
    }

    /// <summary>
    /// <c>create NAME</c> of a named definition saved with <c>PUT /api/{collection}/NAME</c>, which would
    /// replace one of the same name: refused when it exists, so that create never overwrites.
    /// </summary>
    public static async Task<int> CreateNamedAsync(string collection, string what, CliArgs args, JsonObject body, TextWriter output)
    {
        var name = args.Positionals[0];
        var path = $"api/{collection}/{Uri.EscapeDataString(name)}";
        using var api = ApiClient.For(args);
        if (await api.FindAsync(path) is not null)
        {
            throw new ApiException($"{what} '{name}' already exists; delete it first (kairos {collection} delete {name}) or change it with kairos apply");
        }
        var created = await api.PutAsync(path, body.ToJsonString());
        if (args.Has("--json"))
        {
            PrintJson(output, created);
        }
        else
        {
            output.WriteLine($"{what} '{name}' created");
        }
        return 0;
    }

    /// <summary><c>delete NAME</c> of a named definition: <c>DELETE /api/{collection}/NAME</c>.</summary>
    public static async Task<int> DeleteNamedAsync(string collection, string what, CliArgs args, TextWriter output)
    {
        var name = args.Positionals[0];
        using var api = ApiClient.For(args);
        await api.DeleteAsync($"api/{collection}/{Uri.EscapeDataString(name)}");
        output.WriteLine($"{what} '{name}' deleted");
        return 0;
    }
}

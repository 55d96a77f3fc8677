using System.Text.Json.Nodes;
using static Kairos.Cli.Commands.ClientCommand;

namespace Kairos.Cli.Commands;

/// <summary>
/// <c>kairos secrets set | list | delete | rotate</c> over the API (admin). A value is never an
/// argument, where shell history and <c>ps</c> would show it: it comes from stdin, a variable or a file.
/// </summary>
internal static class SecretsCommand
{
    public static async Task<int> RunAsync(string[] rest, TextReader input, TextWriter output)
    {
        var verb = rest.Length > 0 ? rest[0] : "";
        var args = Parse(rest.Length > 0 ? rest[1..] : [], valued: ["--from-env", "--from-file"]);
        using var api = ApiClient.For(args);
        switch (verb)
        {
            case "set":
                args.NoMorePositionals(1);
                var name = args.Positional(0, "the secret's name");
                await api.PutAsync($"api/secrets/{Uri.EscapeDataString(name)}", new JsonObject { ["value"] = await ValueAsync(args, input) }.ToJsonString());
                output.WriteLine($"Stored secret '{name}' (encrypted); jobs use it as {{{{secrets.{name}}}}} in HTTP headers and command env.");
                return 0;
            case "list":
                args.NoMorePositionals(0);
                var list = await api.GetAsync("api/secrets");
                if (args.Has("--json"))
                {
                    PrintJson(output, list);
                    return 0;
                }
                TableWriter.Write(output, ["NAME", "SOURCE", "UPDATED"],
                    list!.AsArray().Select(s => (IReadOnlyList<string?>)[Text(s!["name"]), Text(s["source"]), Time(s["updatedAt"])]));
                return 0;
            case "delete":
                args.NoMorePositionals(1);
                await api.DeleteAsync($"api/secrets/{Uri.EscapeDataString(args.Positional(0, "the secret's name"))}");
                output.WriteLine($"Deleted secret '{args.Positional(0, "the secret's name")}'.");
                return 0;
            case "rotate":
                args.NoMorePositionals(0);
                var rotated = await api.PostAsync("api/secrets/rotate");
                output.WriteLine($"Re-encrypted {Text(rotated!["rotated"])} secret(s) with the current key.");
                return 0;
            default:
                throw new UsageException("use: kairos secrets set NAME [--from-env VAR | --from-file PATH] | list | delete NAME | rotate");
        }
    }

    private static async Task<string> ValueAsync(CliArgs args, TextReader input)
    {
        if (args.Get("--from-env") is { } variable)
        {
            return Environment.GetEnvironmentVariable(variable) ?? throw new UsageException($"environment variable {variable} is not set");
        }
        if (args.Get("--from-file") is { } path)
        {
            return File.Exists(path) ? (await File.ReadAllTextAsync(path)).TrimEnd('\r', '\n') : throw new UsageException($"file '{path}' does not exist");
        }
        return (await input.ReadToEndAsync()).TrimEnd('\r', '\n');
    }
}

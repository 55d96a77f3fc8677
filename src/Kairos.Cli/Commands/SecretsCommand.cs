using System.CommandLine;
using System.Text.Json.Nodes;
using static Kairos.Cli.CliCommand;
using static Kairos.Cli.Commands.ClientCommand;

namespace Kairos.Cli.Commands;

/// <summary>
/// <c>kairos secrets set | list | delete | rotate</c> over the API (admin). A value is never an
/// argument, where shell history and <c>ps</c> would show it: it comes from stdin, a variable or a file.
/// </summary>
internal static class SecretsCommand
{
    public static Command Build() => Group("secrets", "store, list, delete and re-encrypt secrets (admin)",
        Leaf("set", "store a secret's value, encrypted; read from stdin unless --from-env or --from-file", (args, output) => SetAsync(args, Console.In, output),
        [
            Argument("NAME", "the secret's name"),
            Valued("--from-env", "VAR", "read the value from this environment variable"),
            Valued("--from-file", "PATH", "read the value from this file"),
            .. ClientOptions(),
        ]),
        Leaf("list", "the secrets and where each comes from, never their values", ListAsync, ClientOptions()),
        Leaf("delete", "delete a stored secret", DeleteAsync, [Argument("NAME", "the secret's name"), .. ClientOptions()]),
        Leaf("rotate", "re-encrypt every stored secret with the current key", RotateAsync, ClientOptions()));

    internal static async Task<int> SetAsync(CliArgs args, TextReader input, TextWriter output)
    {
        var name = args.Positionals[0];
        var value = await ValueAsync(args, input);
        using var api = ApiClient.For(args);
        await api.PutAsync($"api/secrets/{Uri.EscapeDataString(name)}", new JsonObject { ["value"] = value }.ToJsonString());
        output.WriteLine($"Stored secret '{name}' (encrypted); jobs use it as {{{{secrets.{name}}}}} in HTTP headers and command env.");
        return 0;
    }

    private static async Task<int> ListAsync(CliArgs args, TextWriter output)
    {
        using var api = ApiClient.For(args);
        var list = await api.GetAsync("api/secrets");
        if (args.Has("--json"))
        {
            PrintJson(output, list);
            return 0;
        }
        TableWriter.Write(output, ["NAME", "SOURCE", "UPDATED"],
            list!.AsArray().Select(s => (IReadOnlyList<string?>)[Text(s!["name"]), Text(s["source"]), Time(s["updatedAt"])]));
        return 0;
    }

    private static async Task<int> DeleteAsync(CliArgs args, TextWriter output)
    {
        var name = args.Positionals[0];
        using var api = ApiClient.For(args);
        await api.DeleteAsync($"api/secrets/{Uri.EscapeDataString(name)}");
        output.WriteLine($"Deleted secret '{name}'.");
        return 0;
    }

    private static async Task<int> RotateAsync(CliArgs args, TextWriter output)
    {
        using var api = ApiClient.For(args);
        var rotated = await api.PostAsync("api/secrets/rotate");
        if (args.Has("--json"))
        {
            PrintJson(output, rotated);
            return 0;
        }
        output.WriteLine($"Re-encrypted {Text(rotated!["rotated"])} secret(s) with the current key.");
        return 0;
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

using System.CommandLine;
using System.Text.Json.Nodes;
using static Kairos.Cli.CliCommand;
using static Kairos.Cli.Commands.ClientCommand;

namespace Kairos.Cli.Commands;

/// <summary><c>kairos webhooks list | create | delete</c>: the endpoints served at <c>/hooks/NAME</c>.</summary>
internal static class WebhooksCommand
{
    public static Command Build() => Group("webhooks", "list, create and delete webhooks (served at /hooks/NAME)",
        Leaf("list", "the webhooks: URL, verification and where the secret comes from", ListAsync, ClientOptions()),
        Leaf("create", "make a webhook; jobs run on its deliveries through webhook triggers (the full set of settings: kairos apply)", CreateAsync,
        [
            Argument("NAME", "the webhook's name"),
            Valued("--verify", "KIND", "how deliveries are verified: none (default), github, standard, bearer or stripe"),
            Valued("--secret-env", "VAR", "the environment variable of the server holding the verification secret"),
            Valued("--publish", "TYPE", "also publish each accepted delivery as an event of this type"),
            .. ClientOptions(),
        ]),
        Leaf("delete", "delete a webhook", (args, output) => DeleteNamedAsync("webhooks", "webhook", args, output),
            [Argument("NAME", "the webhook's name"), .. ClientOptions()]));

    private static async Task<int> ListAsync(CliArgs args, TextWriter output)
    {
        using var api = ApiClient.For(args);
        var list = await api.GetAsync("api/webhooks");
        if (args.Has("--json"))
        {
            PrintJson(output, list);
            return 0;
        }
        TableWriter.Write(output, ["NAME", "URL", "VERIFY", "SECRET"],
            list!.AsArray().Select(h => (IReadOnlyList<string?>)[Text(h!["name"]), Text(h["status"]?["url"]), Text(h["verify"]) ?? "none", Text(h["status"]?["secret"])]));
        return 0;
    }

    private static Task<int> CreateAsync(CliArgs args, TextWriter output) =>
        CreateNamedAsync("webhooks", "webhook", args, new JsonObject(
            new (string Key, string Option)[] { ("verify", "--verify"), ("secretEnv", "--secret-env"), ("publish", "--publish") }
                .Where(f => args.Has(f.Option))
                .Select(f => KeyValuePair.Create(f.Key, (JsonNode?)args.Get(f.Option)))), output);
}

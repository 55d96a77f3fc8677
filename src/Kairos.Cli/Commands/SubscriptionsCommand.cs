using System.CommandLine;
using System.Text.Json.Nodes;
using static Kairos.Cli.CliCommand;
using static Kairos.Cli.Commands.ClientCommand;

namespace Kairos.Cli.Commands;

/// <summary><c>kairos subscriptions list | create | delete</c>: what routes published events to jobs.</summary>
internal static class SubscriptionsCommand
{
    public static Command Build() => Group("subscriptions", "list, create and delete the subscriptions that route events to jobs",
        Leaf("list", "the subscriptions: event pattern, filter, job, whether active, and the job whose completion trigger owns it", ListAsync, ClientOptions()),
        Leaf("create", "make a subscription: each published event matching it enqueues a run of its job", CreateAsync,
        [
            Argument("NAME", "the subscription's name"),
            Valued("--events", "PATTERN", "the event types it takes, a pattern such as order.* (required)"),
            Valued("--job", "NAME", "the job each match runs (required)"),
            Valued("--filter", "JSON", "a JSON filter on the event, e.g. {\"data.total\": {\"$gt\": 100}}"),
            Flag("--inactive", "create it switched off"),
            .. ClientOptions(),
        ]),
        Leaf("delete", "delete a subscription", (args, output) => DeleteNamedAsync("subscriptions", "subscription", args, output),
            [Argument("NAME", "the subscription's name"), .. ClientOptions()]));

    private static async Task<int> ListAsync(CliArgs args, TextWriter output)
    {
        using var api = ApiClient.For(args);
        var list = await api.GetAsync("api/subscriptions");
        if (args.Has("--json"))
        {
            PrintJson(output, list);
            return 0;
        }
        TableWriter.Write(output, ["NAME", "EVENTS", "FILTER", "JOB", "ACTIVE", "OWNER"],
            list!.AsArray().Select(s => (IReadOnlyList<string?>)
                [Text(s!["name"]), Text(s["events"]), OneLineJson(s["filter"]), Text(s["job"]), s["active"]?.GetValue<bool>() == false ? "false" : "true", Text(s["status"]?["ownerJob"])]));
        return 0;
    }

    private static async Task<int> CreateAsync(CliArgs args, TextWriter output)
    {
        var body = new JsonObject
        {
            ["events"] = args.Get("--events") ?? throw new UsageException("--events PATTERN is required (an event type or a pattern such as order.*)"),
            ["job"] = args.Get("--job") ?? throw new UsageException("--job NAME is required (the job each matching event runs)"),
            ["active"] = !args.Has("--inactive"),
        };
        if (args.Get("--filter") is { } filter)
        {
            body["filter"] = JsonOption(filter, "--filter");
        }
        return await CreateNamedAsync("subscriptions", "subscription", args, body, output);
    }
}

using static Kairos.Cli.Commands.ClientCommand;

namespace Kairos.Cli.Commands;

/// <summary><c>kairos subscriptions list</c> and <c>kairos webhooks list</c>: what routes events and deliveries to jobs.</summary>
internal static class SubscriptionsCommand
{
    public static async Task<int> RunAsync(string what, string[] rest, TextWriter output)
    {
        if (rest.Length == 0 || rest[0] != "list")
        {
            throw new UsageException($"use: kairos {what} list");
        }
        var args = Parse(rest[1..]);
        args.NoMorePositionals(0);
        using var api = ApiClient.For(args);
        var list = await api.GetAsync($"api/{what}");
        if (args.Has("--json"))
        {
            PrintJson(output, list);
        }
        else if (what == "subscriptions")
        {
            TableWriter.Write(output, ["NAME", "EVENTS", "FILTER", "JOB", "ACTIVE", "OWNER"],
                list!.AsArray().Select(s => (IReadOnlyList<string?>)
                    [Text(s!["name"]), Text(s["events"]), s["filter"]?.ToJsonString(), Text(s["job"]), Text(s["active"]), Text(s["ownerJob"])]));
        }
        else
        {
            TableWriter.Write(output, ["NAME", "URL", "VERIFY", "SECRET"],
                list!.AsArray().Select(h => (IReadOnlyList<string?>)[Text(h!["name"]), Text(h["url"]), Text(h["verification"]), Text(h["secret"])]));
        }
        return 0;
    }
}

using System.CommandLine;
using System.Text.Json.Nodes;
using static Kairos.Cli.CliCommand;
using static Kairos.Cli.Commands.ClientCommand;

namespace Kairos.Cli.Commands;

/// <summary><c>kairos runs list | show | log | cancel | retry</c>.</summary>
internal static class RunsCommand
{
    public static Command Build() => Group("runs", "list runs, show one with its journal, follow its log, cancel or retry it",
        Leaf("list", "runs, newest first", ListAsync,
        [
            Valued("--job", "NAME", "only this job's runs"),
            Valued("--state", "STATE", "only runs in this state: queued, running, waiting, succeeded, dead, cancelled or skipped"),
            Valued("--source", "SOURCE", "only runs fired by this source: webhook, cron, interval, once, manual, event, completion, poll, file, workflow…"),
            Valued("--since", "DURATION", "only runs created in this last while on the server's clock, such as 1h or 2d"),
            Valued("--from", "INSTANT", "only runs created at or after this instant (ISO 8601, UTC without an offset)"),
            Valued("--to", "INSTANT", "only runs created before this instant"),
            Valued("--limit", "N", "at most this many (default 50)"),
            .. ClientOptions(),
        ]),
        Leaf("show", "a run with what caused it, what it caused and its journal; with --wait, follow its log until it ends first", ShowAsync,
            [RunId(), OptionalDuration("--wait", "follow the run until it ends or this long has passed (default 5m)"), .. ClientOptions()]),
        Leaf("log", "a run's output lines, all of them (read a page at a time; lines over 2000 characters are cut)", LogAsync, [RunId(), .. ClientOptions()]),
        Leaf("cancel", "cancel a queued run, or ask a running one to stop", (args, output) => ActAsync("cancel", args, output), [RunId(), .. ClientOptions()]),
        Leaf("retry", "queue a finished run again", (args, output) => ActAsync("retry", args, output), [RunId(), .. ClientOptions()]));

    private static Argument<string> RunId() => Argument("ID", "the run id");

    private static long Id(CliArgs args) =>
        long.TryParse(args.Positionals[0], System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : throw new UsageException($"'{args.Positionals[0]}' is not a run id (a number)");

    private static async Task<int> ListAsync(CliArgs args, TextWriter output)
    {
        using var api = ApiClient.For(args);
        var runs = await api.GetAsync(WithQuery("api/runs", args, "--job", "--state", "--source", "--since", "--from", "--to", "--limit"));
        if (args.Has("--json"))
        {
            PrintJson(output, runs);
            return 0;
        }
        TableWriter.Write(output, ["ID", "JOB", "STATE", "ATTEMPT", "SOURCE", "CREATED", "FINISHED", "ERROR"],
            runs!.AsArray().Select(r => (IReadOnlyList<string?>)
            [
                Text(r!["id"]), Text(r["job"]), Text(r["state"]), $"{Text(r["attempt"])}/{Text(r["maxAttempts"])}", Text(r["source"]),
                Time(r["createdAt"]), Time(r["finishedAt"]), Text(r["error"]),
            ]));
        return 0;
    }

    private static async Task<int> ShowAsync(CliArgs args, TextWriter output)
    {
        var id = Id(args);
        var wait = RunFollower.Wait(args);
        using var api = ApiClient.For(args);
        if (wait is { } limit)
        {
            // Followed to its end (its log and outcome printed, unless JSON is asked for), then shown; the outcome decides the exit code.
            var json = args.Has("--json");
            var followed = await RunFollower.FollowAsync(api, id, limit, json ? TextWriter.Null : output, json);
            await PrintShowAsync(api, id, args.Has("--json"), output);
            return followed;
        }
        await PrintShowAsync(api, id, args.Has("--json"), output);
        return 0;
    }

    private static async Task PrintShowAsync(ApiClient api, long id, bool json, TextWriter output)
    {
        var detail = await api.GetAsync($"api/runs/{id}");
        if (json)
        {
            PrintJson(output, detail);
            return;
        }
        PrintJson(output, detail!["run"]);
        if (detail["parent"] is { } parent)
        {
            output.WriteLine($"caused by: run {Text(parent["id"])} ({Text(parent["job"])}, {Text(parent["state"])})");
        }
        var children = detail["children"]!.AsArray();
        if (children.Count > 0)
        {
            output.WriteLine("caused: " + string.Join(", ", children.Select(c => $"run {Text(c!["id"])} ({Text(c["job"])}, {Text(c["state"])})")));
        }
        output.WriteLine("journal:");
        TableWriter.Write(output, ["SEQ", "AT", "KIND", "NODE", "DATA"],
            detail["journal"]!.AsArray().Select(e => (IReadOnlyList<string?>)
                [Text(e!["seq"]), Time(e["at"]), Text(e["kind"]), Text(e["node"]), OneLineJson(e["data"])]));
    }

    private static async Task<int> LogAsync(CliArgs args, TextWriter output)
    {
        var id = Id(args);
        using var api = ApiClient.For(args);
        // Each line printed as it comes, with --json too: a run may log without end.
        if (args.Has("--json"))
        {
            var array = new JsonArrayWriter(output);
            await RunFollower.ReadLogAsync(api, id, 0, array.Add);
            array.End();
        }
        else
        {
            await RunFollower.ReadLogAsync(api, id, 0, line => output.WriteLine(RunFollower.LogLine(line)));
        }
        return 0;
    }

    private static async Task<int> ActAsync(string verb, CliArgs args, TextWriter output)
    {
        var id = Id(args);
        using var api = ApiClient.For(args);
        var result = await api.PostAsync($"api/runs/{id}/{verb}");
        if (args.Has("--json"))
        {
            PrintJson(output, result);
        }
        else
        {
            output.WriteLine(verb == "cancel"
                ? $"run {id}: {Text(result?["result"])}"
                : $"run {id} queued again (attempt {Text(result?["attempt"])} of {Text(result?["maxAttempts"])} so far)");
        }
        return 0;
    }
}

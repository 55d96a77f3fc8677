using System.CommandLine;
using System.Text.Json.Nodes;
using static Kairos.Cli.CliCommand;
using static Kairos.Cli.Commands.ClientCommand;

namespace Kairos.Cli.Commands;

/// <summary><c>kairos jobs list | show | create | edit | run | next | backfill | pause | resume | delete</c>.</summary>
internal static class JobsCommand
{
    public static Command Build() => Group("jobs", "list, show, create, run and change jobs",
        Leaf("list", "the jobs: executor, queue, priority, state and next fire time", ListAsync, ClientOptions()),
        Leaf("show", "a job's definition as JSON, in the schema of the YAML file, with its status (version, trigger fire times)", ShowAsync, [Argument("NAME", "the job name"), .. ClientOptions()]),
        JobsFileCommand.Build("create"),
        JobsFileCommand.Build("edit"),
        Leaf("run", "run a job now or later; with --wait, follow its log until it ends (exit 0 if it succeeded, 1 otherwise)", RunNowAsync,
        [
            Argument("NAME", "the job name"),
            Valued("--data", "JSON", "the run's payload"),
            Valued("--idempotency-key", "KEY", "a run with this key already made is answered instead of a new one"),
            Valued("--at", "TIME", "run at this ISO-8601 time rather than now"),
            Valued("--in", "DELAY", "run after this delay (30s, 10m, 2h) rather than now"),
            OptionalDuration("--wait", "follow the run until it ends or this long has passed (default 5m)"),
            .. ClientOptions(),
        ]),
        JobsNextCommand.Build(),
        JobsBackfillCommand.Build(),
        Leaf("pause", "stop a job's triggers from enqueuing runs until it is resumed", (args, output) => PauseOrResumeAsync("pause", args, output),
            [Argument("NAME", "the job name"), .. ClientOptions()]),
        Leaf("resume", "let a paused job's triggers enqueue runs again", (args, output) => PauseOrResumeAsync("resume", args, output),
            [Argument("NAME", "the job name"), .. ClientOptions()]),
        Leaf("delete", "delete a job with its triggers; its runs stay as history", DeleteAsync,
        [
            Argument("NAME", "the job name"),
            Flag("--cancel-runs", "cancel its queued runs and ask its running ones to stop (else a job with runs under way is refused)"),
            .. ClientOptions(),
        ]));

    private static async Task<int> ListAsync(CliArgs args, TextWriter output)
    {
        using var api = ApiClient.For(args);
        var jobs = await ListAllAsync(api);
        if (args.Has("--json"))
        {
            PrintJson(output, jobs);
            return 0;
        }
        TableWriter.Write(output, ["NAME", "EXECUTOR", "QUEUE", "PRIORITY", "STATE", "NEXT FIRE"],
            jobs.Select(j => (IReadOnlyList<string?>)
            [
                Text(j!["name"]), ExecutorKind(j.AsObject()), Text(j["queue"]), Text(j["priority"]),
                j["paused"]?.GetValue<bool>() == true ? "paused" : "active",
                Time(j["status"]!["triggers"]!.AsArray().Select(t => t!["nextFireAt"]).Where(n => n is not null).OrderBy(n => Text(n)).FirstOrDefault()),
            ]));
        return 0;
    }

    /// <summary>A job's executor kind: the one key of handler, command, http and workflow its definition has.</summary>
    internal static string? ExecutorKind(JsonObject job) => ((string[])["handler", "command", "http", "workflow"]).FirstOrDefault(job.ContainsKey);

    private static async Task<int> ShowAsync(CliArgs args, TextWriter output)
    {
        using var api = ApiClient.For(args);
        PrintJson(output, await api.GetAsync($"api/jobs/{Uri.EscapeDataString(args.Positionals[0])}"));
        return 0;
    }

    private static async Task<int> DeleteAsync(CliArgs args, TextWriter output)
    {
        var name = args.Positionals[0];
        var cancelRuns = args.Has("--cancel-runs");
        using var api = ApiClient.For(args);
        await api.DeleteAsync($"api/jobs/{Uri.EscapeDataString(name)}" + (cancelRuns ? "?cancelRuns=true" : ""));
        output.WriteLine($"job '{name}' deleted" + (cancelRuns ? "; its queued runs were cancelled and its running ones asked to stop" : ""));
        return 0;
    }

    private static async Task<int> PauseOrResumeAsync(string verb, CliArgs args, TextWriter output)
    {
        var name = args.Positionals[0];
        using var api = ApiClient.For(args);
        var job = await api.PostAsync($"api/jobs/{Uri.EscapeDataString(name)}/{verb}");
        if (args.Has("--json"))
        {
            PrintJson(output, job);
        }
        else
        {
            output.WriteLine($"job {name} is {(verb == "pause" ? "paused" : "active")}");
        }
        return 0;
    }

    private static async Task<int> RunNowAsync(CliArgs args, TextWriter output)
    {
        var name = args.Positionals[0];
        var data = args.Get("--data");
        if (data is not null)
        {
            JsonOption(data, "--data"); // Refused here, before the server is asked.
        }
        var wait = RunFollower.Wait(args);
        var query = new List<string>();
        if (args.Get("--idempotency-key") is { } key)
        {
            query.Add("idempotencyKey=" + Uri.EscapeDataString(key));
        }
        foreach (var later in (string[])["--at", "--in"])
        {
            if (args.Get(later) is { } when)
            {
                query.Add($"{later[2..]}={Uri.EscapeDataString(when)}");
            }
        }
        using var api = ApiClient.For(args);
        var path = $"api/jobs/{Uri.EscapeDataString(name)}/run" + (query.Count > 0 ? "?" + string.Join("&", query) : "");
        var result = await api.PostAsync(path, data ?? "");
        if (wait is { } limit)
        {
            return await RunFollower.FollowAsync(api, result!["runId"]!.GetValue<long>(), limit, output, args.Has("--json"));
        }
        if (args.Has("--json"))
        {
            PrintJson(output, result);
        }
        else
        {
            output.WriteLine($"run {Text(result?["runId"])} {(result?["created"]?.GetValue<bool>() == false ? "already exists (idempotency key)" : "queued")}: {Text(result?["state"])}");
        }
        return Text(result?["state"]) is "dead" or "cancelled" ? 1 : 0;
    }

    /// <summary>Every job, following the name cursor: <c>GET /api/jobs</c> answers one page at a time, in name order.</summary>
    internal static async Task<JsonArray> ListAllAsync(ApiClient api)
    {
        const int PageSize = 1000;
        var all = new JsonArray();
        string? after = null;
        while (true)
        {
            var page = (await api.GetAsync($"api/jobs?limit={PageSize}" + (after is null ? "" : $"&after={Uri.EscapeDataString(after)}")))!.AsArray();
            var jobs = page.ToList();
            page.Clear(); // Detached, so that each job can join the whole list.
            foreach (var job in jobs)
            {
                all.Add(job);
            }
            if (jobs.Count < PageSize)
            {
                return all;
            }
            after = jobs[^1]!["name"]!.GetValue<string>();
        }
    }
}

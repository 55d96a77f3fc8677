using System.Text.Json.Nodes;
using Kairos.Configuration;
using static Kairos.Cli.Commands.ClientCommand;

namespace Kairos.Cli.Commands;

/// <summary><c>kairos jobs list | show | run | next | backfill | pause | resume | delete</c>.</summary>
internal static class JobsCommand
{
    public static async Task<int> RunAsync(string[] rest, TextWriter output)
    {
        var sub = rest.Length > 0 ? rest[0] : throw new UsageException("missing subcommand: list, show, run, next, backfill, pause, resume or delete");
        var args = sub switch
        {
            "run" => Parse(rest[1..], [], ["--data", "--idempotency-key", "--at", "--in"], ["--wait"]),
            "next" => Parse(rest[1..], valued: JobsNextCommand.Options),
            "backfill" => Parse(rest[1..], valued: JobsBackfillCommand.Options),
            "delete" => Parse(rest[1..], ["--cancel-runs"]),
            _ => Parse(rest[1..]),
        };
        using var api = ApiClient.For(args);
        var json = args.Has("--json");
        switch (sub)
        {
            case "list":
                args.NoMorePositionals(0);
                var jobs = await ListAllAsync(api);
                if (json)
                {
                    PrintJson(output, jobs);
                    break;
                }
                TableWriter.Write(output, ["NAME", "EXECUTOR", "QUEUE", "PRIORITY", "STATE", "NEXT FIRE"],
                    jobs!.AsArray().Select(j => (IReadOnlyList<string?>)
                    [
                        Text(j!["name"]), Text(j["executor"]!["kind"]), Text(j["queue"]), Text(j["priority"]),
                        j["paused"]!.GetValue<bool>() ? "paused" : "active",
                        Time(j["triggers"]!.AsArray().Select(t => t!["nextFireAt"]).Where(n => n is not null).OrderBy(n => Text(n)).FirstOrDefault()),
                    ]));
                break;
            case "show":
                var name = args.Positional(0, "the job name");
                args.NoMorePositionals(1);
                PrintJson(output, await api.GetAsync($"api/jobs/{Uri.EscapeDataString(name)}"));
                break;
            case "run":
                return await RunNowAsync(api, args, output);
            case "next":
                return await JobsNextCommand.RunAsync(api, args, output);
            case "backfill":
                return await JobsBackfillCommand.RunAsync(api, args, output);
            case "delete":
                var doomed = args.Positional(0, "the job name");
                args.NoMorePositionals(1);
                await api.DeleteAsync($"api/jobs/{Uri.EscapeDataString(doomed)}" + (args.Has("--cancel-runs") ? "?cancelRuns=true" : ""));
                output.WriteLine($"job '{doomed}' deleted" + (args.Has("--cancel-runs") ? "; its queued runs were cancelled and its running ones asked to stop" : ""));
                break;
            case "pause" or "resume":
                var target = args.Positional(0, "the job name");
                args.NoMorePositionals(1);
                var job = await api.PostAsync($"api/jobs/{Uri.EscapeDataString(target)}/{sub}");
                if (json)
                {
                    PrintJson(output, job);
                }
                else
                {
                    output.WriteLine($"job {target} is {(sub == "pause" ? "paused" : "active")}");
                }
                break;
            default:
                throw new UsageException($"unknown jobs subcommand '{sub}'; use list, show, run, next, backfill, pause, resume or delete");
        }
        return 0;
    }

    private static async Task<int> RunNowAsync(ApiClient api, CliArgs args, TextWriter output)
    {
        var name = args.Positional(0, "the job name");
        args.NoMorePositionals(1);
        var data = args.Get("--data");
        if (data is not null)
        {
            try
            {
                JsonNode.Parse(data);
            }
            catch (System.Text.Json.JsonException ex)
            {
                throw new UsageException($"--data is not valid JSON: {ex.Message}");
            }
        }
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
        if (args.Has("--wait"))
        {
            var wait = args.Get("--wait") ?? "5m";
            if (!Durations.TryParse(wait, out _))
            {
                throw new UsageException($"--wait '{wait}' is not a duration such as 30s or 5m");
            }
            query.Add("wait=" + Uri.EscapeDataString(wait));
        }
        var path = $"api/jobs/{Uri.EscapeDataString(name)}/run" + (query.Count > 0 ? "?" + string.Join("&", query) : "");
        var result = await api.PostAsync(path, data ?? "");
        if (args.Has("--json"))
        {
            PrintJson(output, result);
        }
        else if (result?["state"] is not null && result["id"] is not null)
        {
            output.WriteLine($"run {Text(result["id"])} {Text(result["state"])} (attempt {Text(result["attempt"])})");
            if (result["output"] is { } runOutput)
            {
                output.WriteLine($"output: {runOutput.ToJsonString()}");
            }
            if (Text(result["error"]) is { } error)
            {
                output.WriteLine($"error: {error}");
            }
        }
        else
        {
            output.WriteLine($"run {Text(result?["runId"])} {(result?["created"]?.GetValue<bool>() == false ? "already exists (idempotency key)" : "queued")}: {Text(result?["state"])}");
        }
        var state = Text(result?["state"]);
        return state is "dead" or "cancelled" ? 1 : 0;
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

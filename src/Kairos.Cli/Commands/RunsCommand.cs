using static Kairos.Cli.Commands.ClientCommand;

namespace Kairos.Cli.Commands;

/// <summary><c>kairos runs list | show | log | cancel | retry</c>.</summary>
internal static class RunsCommand
{
    public static async Task<int> RunAsync(string[] rest, TextWriter output)
    {
        var sub = rest.Length > 0 ? rest[0] : throw new UsageException("missing subcommand: list, show, log, cancel or retry");
        var args = sub == "list" ? Parse(rest[1..], [], ["--job", "--state", "--limit"]) : Parse(rest[1..]);
        using var api = ApiClient.For(args);
        var json = args.Has("--json");
        if (sub == "list")
        {
            args.NoMorePositionals(0);
            var runs = await api.GetAsync(WithQuery("api/runs", args, "--job", "--state", "--limit"));
            if (json)
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
        var id = args.Positional(0, "the run id");
        args.NoMorePositionals(1);
        if (!long.TryParse(id, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            throw new UsageException($"'{id}' is not a run id (a number)");
        }
        switch (sub)
        {
            case "show":
                var detail = await api.GetAsync($"api/runs/{id}");
                if (json)
                {
                    PrintJson(output, detail);
                    break;
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
                        [Text(e!["seq"]), Time(e["at"]), Text(e["kind"]), Text(e["node"]), e["data"]?.ToJsonString()]));
                break;
            case "log":
                var lines = await api.GetAsync($"api/runs/{id}/log");
                if (json)
                {
                    PrintJson(output, lines);
                    break;
                }
                foreach (var line in lines!.AsArray())
                {
                    output.WriteLine($"{Time(line!["at"])} [{Text(line["stream"])}] {Text(line["text"])}");
                }
                break;
            case "cancel":
                var cancel = await api.PostAsync($"api/runs/{id}/cancel");
                if (json)
                {
                    PrintJson(output, cancel);
                }
                else
                {
                    output.WriteLine($"run {id}: {Text(cancel?["result"])}");
                }
                break;
            case "retry":
                var retried = await api.PostAsync($"api/runs/{id}/retry");
                if (json)
                {
                    PrintJson(output, retried);
                }
                else
                {
                    output.WriteLine($"run {id} queued again (attempt {Text(retried?["attempt"])} of {Text(retried?["maxAttempts"])} so far)");
                }
                break;
            default:
                throw new UsageException($"unknown runs subcommand '{sub}'; use list, show, log, cancel or retry");
        }
        return 0;
    }
}

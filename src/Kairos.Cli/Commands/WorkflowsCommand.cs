using System.CommandLine;
using System.Text.Json.Nodes;
using static Kairos.Cli.Commands.ClientCommand;

namespace Kairos.Cli.Commands;

/// <summary>
/// <c>kairos workflows list | show NAME [--format text|mermaid|dot] [--version N] | run ID | send ID STEP [--data JSON]</c>, and the
/// commands that start, list and operate on workflow runs (<see cref="WorkflowRunsCommand"/>).
/// </summary>
internal static class WorkflowsCommand
{
    /// <summary>Each subcommand's arguments and options; list, show, run and send run <see cref="RunAsync"/>, which switches on the subcommand.</summary>
    public static Command Build() => CliCommand.Group("workflows", "workflow jobs, their graphs, their runs and what a person does to one",
    [
        Sub("list", "the workflow jobs with their step count, onFailure and state"),
        Sub("show", "a workflow's graph", CliCommand.Argument("NAME", "the workflow job's name"), CliCommand.Valued("--format", "text|mermaid|dot", "the graph's format (default text)"),
            CliCommand.Valued("--version", "N", "an earlier version of its definition (default: as it is now)")),
        Sub("run", "a workflow run's steps", CliCommand.Argument("ID", "the workflow run's id")),
        Sub("send", "deliver an event's data to a workflow step that waits for one", CliCommand.Argument("ID", "the workflow run's id"),
            CliCommand.Argument("STEP", "the waiting step's id"), CliCommand.Valued("--data", "JSON", "the event's data (default null)")),
        .. WorkflowRunsCommand.Build(),
    ]);

    private static Command Sub(string name, string description, params IEnumerable<Symbol> inputs) =>
        CliCommand.Leaf(name, description, (args, output) => RunAsync(name, args, output), [.. inputs, .. CliCommand.ClientOptions()]);

    public static async Task<int> RunAsync(string sub, CliArgs args, TextWriter output)
    {
        using var api = ApiClient.For(args);
        switch (sub)
        {
            case "list":
                args.NoMorePositionals(0);
                var workflows = new JsonArray((await JobsCommand.ListAllAsync(api))
                    .Where(j => j!["workflow"] is not null).Select(j => j!.DeepClone()).ToArray());
                if (args.Has("--json"))
                {
                    PrintJson(output, workflows);
                    return 0;
                }
                TableWriter.Write(output, ["NAME", "STEPS", "ON FAILURE", "STATE"],
                    workflows.Select(j => (IReadOnlyList<string?>)
                    [
                        Text(j!["name"]), j["workflow"]!["steps"]!.AsArray().Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        Text(j["workflow"]!["onFailure"]) ?? "fail", j["paused"]!.GetValue<bool>() ? "paused" : "active",
                    ]));
                return 0;
            case "show":
                var name = args.Positional(0, "the workflow job's name");
                args.NoMorePositionals(1);
                output.Write(await api.GetTextAsync(WithQuery($"api/jobs/{Uri.EscapeDataString(name)}/workflow", args, "--format", "--version")));
                return 0;
            case "send":
                var to = RunId(args);
                var step = args.Positional(1, "the step that waits for an event");
                args.NoMorePositionals(2);
                // The data goes as written: the server says what is wrong with it.
                var sent = await api.PostAsync($"api/runs/{to}/workflow/steps/{Uri.EscapeDataString(step)}/send", $$"""{"data": {{args.Get("--data") ?? "null"}}}""");
                output.WriteLine($"step '{step}' of workflow run {to} took the data; the workflow is {Text(sent!["state"])}");
                return 0;
            case "run":
                var id = RunId(args);
                args.NoMorePositionals(1);
                PrintRun(output, await api.GetAsync($"api/runs/{id}/workflow"), args.Has("--json"));
                return 0;
            default:
                throw new UsageException($"unknown subcommand '{sub}': list, show, run or send");
        }
    }

    /// <summary>A workflow run as <c>GET /api/runs/{id}/workflow</c> gives it: its state, then a line per step (or the JSON).</summary>
    internal static void PrintRun(TextWriter output, JsonNode? run, bool json)
    {
        if (json)
        {
            PrintJson(output, run);
            return;
        }
        var version = run!["version"] is { } v ? $" (version {Text(v)})" : "";
        output.WriteLine($"workflow run {Text(run["runId"])} of {Text(run["job"])}{version}: {Text(run["state"])}{(run["error"] is { } error ? " — " + Text(error) : "")}");
        TableWriter.Write(output, ["STEP", "STATE", "RUN", "STARTED", "FINISHED", "COMPENSATION", "OUTPUT OR ERROR"],
            run["steps"]!.AsArray().Select(s => (IReadOnlyList<string?>)
            [
                Text(s!["id"]), Text(s["state"]), Text(s["runId"]), Time(s["startedAt"]), Time(s["finishedAt"]),
                s["compensationState"] is null ? "" : $"{Text(s["compensationState"])} (run {Text(s["compensationRunId"])})",
                Text(s["error"]) ?? Text(s["output"]),
            ]));
    }

    internal static string RunId(CliArgs args)
    {
        var id = args.Positional(0, "the workflow run's id");
        return long.TryParse(id, System.Globalization.CultureInfo.InvariantCulture, out _) ? id : throw new UsageException($"'{id}' is not a run id (a number)");
    }
}

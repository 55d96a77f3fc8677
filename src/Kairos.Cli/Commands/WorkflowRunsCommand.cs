using System.CommandLine;
using System.Text.Json.Nodes;
using Kairos.Model;
using Kairos.Workflows;
using static Kairos.Cli.CliCommand;
using static Kairos.Cli.Commands.ClientCommand;

namespace Kairos.Cli.Commands;

/// <summary>
/// <c>kairos workflows start NAME [--data JSON] [--wait] | runs [NAME] [--state S] | cancel ID [--compensate] | retry ID |
/// pause ID | resume ID | skip ID STEP [--output JSON] | migrate ID --to-version N</c>: workflow runs started, listed and operated on. Each operation
/// prints the workflow run as it then is, as <c>workflows run</c> does; the server says when its state does not allow it.
/// </summary>
internal static class WorkflowRunsCommand
{
    public static IEnumerable<Command> Build() =>
    [
        Leaf("start", "start a workflow run; with --wait, follow it until it ends (exit 0 if it succeeded, 1 otherwise)", StartAsync,
        [
            Argument("NAME", "the workflow job's name"),
            Valued("--data", "JSON", "the workflow's input ({{input…}} in its templates)"),
            OptionalDuration("--wait", "follow the run until it ends or this long has passed (default 5m)"),
            .. ClientOptions(),
        ]),
        Leaf("runs", "workflow runs, newest first: of one workflow, or of every workflow", ListAsync,
        [
            new Argument<string>("NAME") { Description = "only this workflow's runs", Arity = ArgumentArity.ZeroOrOne },
            Valued("--state", "STATE", "only runs in this state: of the workflow (running, paused, succeeded, failed, compensating, compensated, compensation-failed, cancelling, cancelled) or of its run (queued, waiting, dead)"),
            .. ClientOptions(),
        ]),
        Operation("cancel", "cancel a workflow run's queued and running steps and end it cancelled",
            args => ("cancel", $$"""{"compensate": {{(args.Has("--compensate") ? "true" : "false")}}}"""),
            Flag("--compensate", "first run the compensations of the steps that succeeded, the last one first")),
        Operation("retry", "run a failed or cancelled workflow again from the steps that did not succeed, with the same inputs", _ => ("retry", null)),
        Operation("pause", "start no new step of a running workflow until it is resumed (steps going finish)", _ => ("pause", null)),
        Operation("resume", "let a paused workflow start the steps that became ready", _ => ("resume", null)),
        Operation("skip", "end a step (queued, waiting, or failed in a failed workflow) succeeded with an output, and move on",
            args =>
            {
                var step = args.Positional(1, "the step's id");
                // The output goes as written: the server says what is wrong with it.
                return ($"steps/{Uri.EscapeDataString(step)}/skip", $$"""{"output": {{args.Get("--output") ?? "null"}}}""");
            },
            Argument("STEP", "the step's id"), Valued("--output", "JSON", "the output the step ends with (default null)")),
        Operation("migrate", "move a running workflow run onto another version of its definition (the steps it started or ended must be in it)",
            args => ("migrate", $$"""{"toVersion": {{ToVersion(args)}}}"""),
            Valued("--to-version", "N", "the version to go on with (kairos workflows show NAME --version N draws it)")),
    ];

    private static int ToVersion(CliArgs args) =>
        args.Get("--to-version") is { } text && int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version) && version > 0
            ? version
            : throw new UsageException($"--to-version {(args.Get("--to-version") is { } given ? $"'{given}' is not a version number (1, 2, …)" : "is needed: the version to move the run to")}");

    /// <summary>
    /// <c>kairos workflows VERB ID …</c>: POST /api/runs/ID/workflow/PATH with the body <paramref name="request"/> makes of the
    /// arguments (null: none), then the workflow run as the answer has it.
    /// </summary>
    private static Command Operation(string verb, string description, Func<CliArgs, (string Path, string? Body)> request, params IEnumerable<Symbol> inputs) =>
        Leaf(verb, description, async (args, output) =>
        {
            var id = WorkflowsCommand.RunId(args);
            args.NoMorePositionals(1 + inputs.OfType<Argument>().Count());
            var (path, body) = request(args);
            using var api = ApiClient.For(args);
            WorkflowsCommand.PrintRun(output, await api.PostAsync($"api/runs/{id}/workflow/{path}", body), args.Has("--json"));
            return 0;
        }, [Argument("ID", "the workflow run's id"), .. inputs, .. ClientOptions()]);

    private static async Task<int> StartAsync(CliArgs args, TextWriter output)
    {
        var name = args.Positional(0, "the workflow job's name");
        args.NoMorePositionals(1);
        var data = args.Get("--data");
        if (data is not null)
        {
            JsonOption(data, "--data"); // Refused here, before the server is asked.
        }
        var wait = RunFollower.Wait(args);
        using var api = ApiClient.For(args);
        var job = await api.GetAsync($"api/jobs/{Uri.EscapeDataString(name)}");
        if (JobsCommand.ExecutorKind(job!.AsObject()) is var kind and not "workflow")
        {
            throw new ApiException($"job '{Text(job["name"])}' is not a workflow (its executor is {kind}): start it with kairos jobs run");
        }
        var started = await api.PostAsync($"api/jobs/{Uri.EscapeDataString(name)}/run", data ?? "");
        var id = started!["runId"]!.GetValue<long>();
        if (wait is { } limit)
        {
            var followed = await RunFollower.FollowAsync(api, id, limit, args.Has("--json") ? TextWriter.Null : output, args.Has("--json"));
            WorkflowsCommand.PrintRun(output, await api.GetAsync($"api/runs/{id}/workflow"), args.Has("--json"));
            return followed;
        }
        if (args.Has("--json"))
        {
            PrintJson(output, started);
            return 0;
        }
        output.WriteLine($"workflow run {id} of {Text(job["name"])} queued: see it with kairos workflows run {id}");
        return 0;
    }

    private static async Task<int> ListAsync(CliArgs args, TextWriter output)
    {
        using var api = ApiClient.For(args);
        var names = args.Positionals.Count > 0
            ? [args.Positionals[0]]
            : (await JobsCommand.ListAllAsync(api)).Where(j => j!["workflow"] is not null).Select(j => Text(j!["name"])!).ToList();
        var (runState, workflowState) = StateFilter(args.Get("--state"));
        var state = runState is { } s ? "&state=" + Uri.EscapeDataString(s) : "";
        var runs = new List<JsonNode>();
        foreach (var name in names)
        {
            var page = await api.GetAsync($"api/runs?job={Uri.EscapeDataString(name)}{state}");
            runs.AddRange(page!.AsArray().Select(r => r!.DeepClone()));
        }
        if (workflowState is not null)
        {
            // The listing knows run states only: each candidate's workflow says which of them it is in.
            var kept = new List<JsonNode>();
            foreach (var run in runs)
            {
                if (Text((await api.GetAsync($"api/runs/{Text(run["id"])}/workflow"))?["state"]) == workflowState)
                {
                    kept.Add(run);
                }
            }
            runs = kept;
        }
        var newestFirst = runs.OrderByDescending(r => r["id"]!.GetValue<long>()).ToList();
        if (args.Has("--json"))
        {
            PrintJson(output, new JsonArray([.. newestFirst]));
            return 0;
        }
        TableWriter.Write(output, ["ID", "WORKFLOW", "STATE", "CREATED", "FINISHED", "ERROR"],
            newestFirst.Select(r => (IReadOnlyList<string?>)
                [Text(r["id"]), Text(r["job"]), Text(r["state"]), Time(r["createdAt"]), Time(r["finishedAt"]), Text(r["error"])]));
        return 0;
    }

    /// <summary>
    /// <c>--state</c> as the run state the server filters by and, when it names a state of the workflow
    /// (<c>running</c>, <c>paused</c>, <c>compensating</c>…), that state too: its runs are those in the run
    /// state it implies (waiting, or dead for failed and compensated), kept when their workflow is in it.
    /// A workflow's state wins over the run state of the same name (a workflow's run is <c>running</c> only
    /// for the moment it starts its steps); succeeded and cancelled mean the same runs either way.
    /// </summary>
    private static (string? RunState, string? WorkflowState) StateFilter(string? given)
    {
        if (given is null || given is WorkflowStates.Succeeded or WorkflowStates.Cancelled)
        {
            return (given, null);
        }
        if (WorkflowStates.All.Contains(given))
        {
            return (WorkflowStates.RunStateOf(given).ToWire(), given);
        }
        return RunStates.TryParse(given, out _)
            ? (given, null)
            : throw new UsageException($"--state '{given}' is neither a workflow state ({string.Join(", ", WorkflowStates.All)}) nor a run state ({string.Join(", ", Enum.GetValues<RunState>().Select(s => s.ToWire()))})");
    }
}

using System.Diagnostics;
using System.Text.Json.Nodes;
using Kairos.Configuration;
using Kairos.Model;
using Spectre.Console;
using static Kairos.Cli.Commands.ClientCommand;

namespace Kairos.Cli.Commands;

/// <summary>
/// <c>--wait</c>: follows a run until it ends or the wait is over, printing its log lines as they
/// come (with a spinner naming its state on a terminal), then its outcome. Exit 0 when it
/// succeeded; 1 when it ended otherwise or was still under way when the wait ran out.
/// </summary>
internal static class RunFollower
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    /// <summary>How many log lines the CLI asks for a request (the API gives at most 5000).</summary>
    public const int LogPage = 1000;

    /// <summary>How long --wait asks to follow (5 minutes when it gives no duration); null without --wait.</summary>
    public static TimeSpan? Wait(CliArgs args)
    {
        if (!args.Has("--wait"))
        {
            return null;
        }
        if (args.Get("--wait") is not { } text)
        {
            return DefaultWait;
        }
        return Durations.TryParse(text, out var wait) ? wait : throw new UsageException($"--wait '{text}' is not a duration such as 30s or 5m");
    }

    /// <param name="json">Print only the run as JSON at the end (no log lines), for scripts.</param>
    public static async Task<int> FollowAsync(ApiClient api, long id, TimeSpan wait, TextWriter output, bool json)
    {
        JsonNode run;
        if (!json && TableWriter.IsTerminal(output))
        {
            run = await AnsiConsole.Status().StartAsync($"run {id}", context =>
                PollAsync(api, id, wait, line => AnsiConsole.WriteLine(line), state => context.Status($"run {id}: {Markup.Escape(state)}")));
        }
        else
        {
            run = await PollAsync(api, id, wait, json ? _ => { } : output.WriteLine, _ => { });
        }
        var state = Text(run["state"]) ?? "";
        var finished = RunStates.TryParse(state, out var parsed) && parsed.IsFinished();
        if (json)
        {
            PrintJson(output, run);
        }
        else if (finished)
        {
            PrintOutcome(output, run);
        }
        else
        {
            output.WriteLine($"run {id} is still {state} after {Durations.Format(wait)}; keep following it with: kairos runs show {id} --wait");
        }
        return finished && parsed == RunState.Succeeded ? 0 : 1;
    }

    /// <summary>"run 12 succeeded (attempt 1)", then its output or error.</summary>
    public static void PrintOutcome(TextWriter output, JsonNode run)
    {
        output.WriteLine($"run {Text(run["id"])} {Text(run["state"])} (attempt {Text(run["attempt"])})");
        if (run["output"] is { } runOutput)
        {
            output.WriteLine($"output: {OneLineJson(runOutput)}");
        }
        if (Text(run["error"]) is { } error)
        {
            output.WriteLine($"error: {error}");
        }
    }

    /// <summary>One line of a run's log as <c>kairos runs log</c> prints it.</summary>
    public static string LogLine(JsonNode line) => $"{Time(line["at"])} [{Text(line["stream"])}] {Text(line["text"])}";

    /// <summary>
    /// The lines of a run's log after the cursor <paramref name="after"/>, every page of them (the server gives
    /// at most a few thousand a request), each given to <paramref name="take"/> as it comes; returns the cursor
    /// after the last.
    /// </summary>
    public static async Task<long> ReadLogAsync(ApiClient api, long id, long after, Action<JsonNode> take)
    {
        JsonNode page;
        do
        {
            page = (await api.GetAsync($"api/runs/{id}/log?after={after}&limit={LogPage}"))!;
            foreach (var line in page["lines"]!.AsArray())
            {
                take(line!);
            }
            after = page["next"]!.GetValue<long>();
        }
        while (page["more"]!.GetValue<bool>());
        return after;
    }

    private static async Task<JsonNode> PollAsync(ApiClient api, long id, TimeSpan wait, Action<string> printLine, Action<string> showState)
    {
        var elapsed = Stopwatch.StartNew();
        long printed = 0;
        while (true)
        {
            var run = (await api.GetAsync($"api/runs/{id}"))!["run"]!;
            // Only the lines not printed yet, every page of them: the run may have logged many since the last poll.
            printed = await ReadLogAsync(api, id, printed, line => printLine(LogLine(line)));
            var state = Text(run["state"]) ?? "";
            showState(state);
            if ((RunStates.TryParse(state, out var parsed) && parsed.IsFinished()) || elapsed.Elapsed >= wait)
            {
                return run;
            }
            await Task.Delay(Poll);
        }
    }
}

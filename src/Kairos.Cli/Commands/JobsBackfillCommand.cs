using System.CommandLine;
using System.Text.Json.Nodes;
using Kairos.Configuration;
using static Kairos.Cli.CliCommand;
using static Kairos.Cli.Commands.ClientCommand;

namespace Kairos.Cli.Commands;

/// <summary>
/// <c>kairos jobs backfill NAME --from TIME --to TIME [--trigger ID] [--overlap allow-all|skip]</c>:
/// one run per scheduled time of the job's time triggers in [from, to); times that already have a run are left alone.
/// </summary>
internal static class JobsBackfillCommand
{
    public static Command Build() => Leaf("backfill", "one run per scheduled time of the job's time triggers in [--from, --to); times that already have a run are left alone", RunAsync,
    [
        Argument("NAME", "the job name"),
        Valued("--from", "TIME", "the range's start, ISO 8601 (required)"),
        Valued("--to", "TIME", "the range's end, excluded, ISO 8601 (required)"),
        Valued("--trigger", "ID", "only this trigger's times"),
        Valued("--overlap", "allow-all|skip", "allow-all (default): every time queued, started as the job's limits allow; skip: only as many as the job has free instances"),
        .. ClientOptions(),
    ]);

    private static async Task<int> RunAsync(CliArgs args, TextWriter output)
    {
        var name = args.Positionals[0];
        var body = new JsonObject
        {
            ["from"] = Instant(args, "--from"),
            ["to"] = Instant(args, "--to"),
        };
        if (args.Get("--trigger") is { } trigger)
        {
            body["trigger"] = trigger;
        }
        if (args.Get("--overlap") is { } overlap)
        {
            body["overlap"] = overlap is "allow-all" or "skip" ? overlap : throw new UsageException($"--overlap '{overlap}' must be allow-all (default: every time queued, started as the job's limits allow) or skip (only as many as the job has free instances)");
        }
        using var api = ApiClient.For(args);
        var result = await api.PostAsync($"api/jobs/{Uri.EscapeDataString(name)}/backfill", body.ToJsonString());
        if (args.Has("--json"))
        {
            PrintJson(output, result);
            return 0;
        }
        output.WriteLine($"backfill of {name}: {Text(result!["scheduled"])} scheduled time(s); {Text(result["enqueued"])} enqueued, {Text(result["existing"])} already had a run, {Text(result["skipped"])} skipped");
        return 0;
    }

    private static string Instant(CliArgs args, string option)
    {
        var text = args.Get(option) ?? throw new UsageException($"missing {option} TIME (ISO 8601, e.g. 2026-11-01T00:00:00Z); the range is [--from, --to)");
        return Durations.TryParseInstant(text, out _)
            ? text
            : throw new UsageException($"{option} '{text}' is not an ISO-8601 time such as 2026-11-01T00:00:00Z");
    }
}

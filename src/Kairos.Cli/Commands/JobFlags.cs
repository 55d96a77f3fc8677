using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using static Kairos.Cli.CliCommand;

namespace Kairos.Cli.Commands;

/// <summary>
/// A job's fields as flags, in the schema of the YAML file: <c>kairos jobs create NAME --handler H | --command ARG… |
/// --http URL [--cron EXPR] [--every 10m] [--queue Q] [--retries N] [--priority N] [--pause]</c> builds a job body from
/// them; <c>kairos jobs edit NAME</c> with the same flags changes those fields of the job as the server gives it and
/// leaves the rest as they are. The server checks the body as it checks any, so a mistake is reported by the field it concerns.
/// </summary>
internal static class JobFlags
{
    private static readonly string[] Executors = ["--handler", "--command", "--http"];
    private static readonly string[] Others = ["--cron", "--every", "--queue", "--retries", "--priority", "--pause", "--resume"];

    /// <summary>The keys of the schema that name a job's executor: a job has one of them.</summary>
    private static readonly string[] ExecutorKeys = ["handler", "command", "http", "workflow"];

    /// <param name="edit">For <c>jobs edit</c>: the time-trigger flags replace the job's triggers of their kind, and <c>--resume</c> is offered.</param>
    public static IEnumerable<Symbol> Options(bool edit = false) =>
    [
        Valued("--handler", "NAME", "run the handler registered under this name"),
        new Option<string[]>("--command") { Description = "run this executable with these arguments, no shell (repeat --command or list them after it)", HelpName = "ARG", AllowMultipleArgumentsPerToken = true, Arity = ArgumentArity.OneOrMore },
        Valued("--http", "URL", "send a GET request to this URL"),
        Valued("--cron", "EXPR", "fire on this cron expression (UTC), e.g. \"0 9 * * 1-5\"" + (edit ? "; replaces the job's cron triggers" : "")),
        Valued("--every", "DURATION", "fire at this interval, e.g. 10m" + (edit ? "; replaces the job's interval triggers" : "")),
        Valued("--queue", "QUEUE", "the queue its runs wait in (default: default)"),
        Valued("--retries", "N", "retry a failed run up to N times (default 2: 3 attempts)"),
        Valued("--priority", "N", "its runs' priority, 1 to 10 (default 5; higher is claimed first)"),
        Flag("--pause", "save it paused: its triggers enqueue nothing until it is resumed"),
        .. (edit ? (IEnumerable<Symbol>)[Flag("--resume", "save it resumed (not paused)")] : []),
    ];

    public static bool AnyGiven(CliArgs args) => Executors.Concat(Others).Any(args.Has);

    /// <summary>A new job's body, for <c>jobs create NAME</c>: it needs exactly one executor.</summary>
    public static (string Name, JsonObject Body, string Source) Build(CliArgs args)
    {
        var name = args.Positional(0, "the job name (or --file FILE)");
        if (!Executors.Any(args.Has))
        {
            throw new UsageException("give exactly one of --handler NAME, --command ARG… or --http URL");
        }
        var body = new JsonObject();
        Change(body, args);
        return (name, body, "FILE");
    }

    /// <summary>Sets the fields the flags name in a job body (the schema of the YAML file), leaving the others as they are.</summary>
    public static void Change(JsonObject body, CliArgs args)
    {
        ChangeExecutor(body, args);
        if (args.Get("--queue") is { } queue)
        {
            body["queue"] = queue;
        }
        if (args.Get("--priority") is { } priority)
        {
            body["priority"] = int.TryParse(priority, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var p)
                ? p
                : throw new UsageException($"--priority '{priority}' is not a whole number from 1 to 10");
        }
        if (args.Get("--retries") is { } retries)
        {
            // Into the job's retry policy, keeping its backoff and delays.
            var retry = body["retry"] as JsonObject ?? [];
            retry["maxAttempts"] = int.TryParse(retries, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n < 1000
                ? n + 1
                : throw new UsageException($"--retries '{retries}' is not a whole number from 0 to 998");
            body["retry"] = retry;
        }
        if (args.Has("--pause") && args.Has("--resume"))
        {
            throw new UsageException("give --pause or --resume, not both");
        }
        if (args.Has("--pause") || args.Has("--resume"))
        {
            body["paused"] = args.Has("--pause");
        }
        ReplaceTriggers(body, "cron", args.Get("--cron"));
        ReplaceTriggers(body, "interval", args.Get("--every"));
    }

    private static void ChangeExecutor(JsonObject body, CliArgs args)
    {
        var executors = Executors.Where(args.Has).ToList();
        if (executors.Count == 0)
        {
            return;
        }
        if (executors.Count > 1)
        {
            throw new UsageException($"give exactly one of --handler NAME, --command ARG… or --http URL (found {string.Join(" and ", executors)})");
        }
        foreach (var key in ExecutorKeys)
        {
            body.Remove(key);
        }
        switch (executors[0])
        {
            case "--handler":
                body["handler"] = args.Get("--handler");
                break;
            case "--command":
                body["command"] = new JsonObject { ["argv"] = new JsonArray([.. args.GetAll("--command").Select(a => JsonValue.Create(a))]) };
                break;
            default:
                body["http"] = new JsonObject { ["url"] = args.Get("--http") };
                break;
        }
    }

    /// <summary>The job's triggers of this kind (its key in the schema) give way to the one given; the others stay.</summary>
    private static void ReplaceTriggers(JsonObject body, string kind, string? value)
    {
        if (value is null)
        {
            return;
        }
        var kept = (body["triggers"] as JsonArray ?? []).Where(t => t is JsonObject trigger && !trigger.ContainsKey(kind)).Select(t => t!.DeepClone());
        body["triggers"] = new JsonArray([.. kept, new JsonObject { [kind] = value }]);
    }
}

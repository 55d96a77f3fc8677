using System.CommandLine;
using System.Text.Json.Nodes;
using static Kairos.Cli.CliCommand;

namespace Kairos.Cli.Commands;

/// <summary>
/// <c>kairos jobs create NAME --handler H | --command ARG… | --http URL [--cron EXPR] [--every 10m]
/// [--queue Q] [--retries N]</c>: a job body in the schema of the YAML file, built from flags. The
/// server checks it as it checks any body, so a mistake is reported by the field it concerns.
/// </summary>
internal static class JobFlags
{
    private static readonly string[] Executors = ["--handler", "--command", "--http"];
    private static readonly string[] Others = ["--cron", "--every", "--queue", "--retries"];

    public static IEnumerable<Symbol> Options() =>
    [
        Valued("--handler", "NAME", "run the handler registered under this name"),
        new Option<string[]>("--command") { Description = "run this executable with these arguments, no shell (repeat --command or list them after it)", HelpName = "ARG", AllowMultipleArgumentsPerToken = true, Arity = ArgumentArity.OneOrMore },
        Valued("--http", "URL", "send a GET request to this URL"),
        Valued("--cron", "EXPR", "fire on this cron expression (UTC), e.g. \"0 9 * * 1-5\""),
        Valued("--every", "DURATION", "fire at this interval, e.g. 10m"),
        Valued("--queue", "QUEUE", "the queue its runs wait in (default: default)"),
        Valued("--retries", "N", "retry a failed run up to N times (default 2: 3 attempts)"),
    ];

    public static bool AnyGiven(CliArgs args) => Executors.Concat(Others).Any(args.Has);

    public static (string Name, JsonObject Body, string Source) Build(CliArgs args)
    {
        var name = args.Positional(0, "the job name (or --file FILE)");
        var executors = Executors.Where(args.Has).ToList();
        if (executors.Count != 1)
        {
            throw new UsageException("give exactly one of --handler NAME, --command ARG… or --http URL" + (executors.Count > 1 ? $" (found {string.Join(" and ", executors)})" : ""));
        }
        var body = new JsonObject();
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
        if (args.Get("--queue") is { } queue)
        {
            body["queue"] = queue;
        }
        if (args.Get("--retries") is { } retries)
        {
            body["retry"] = new JsonObject
            {
                ["maxAttempts"] = int.TryParse(retries, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n < 1000
                    ? n + 1
                    : throw new UsageException($"--retries '{retries}' is not a whole number from 0 to 998"),
            };
        }
        var triggers = new JsonArray();
        if (args.Get("--cron") is { } cron)
        {
            triggers.Add(new JsonObject { ["cron"] = cron });
        }
        if (args.Get("--every") is { } every)
        {
            triggers.Add(new JsonObject { ["interval"] = every });
        }
        if (triggers.Count > 0)
        {
            body["triggers"] = triggers;
        }
        return (name, body, "FILE");
    }
}

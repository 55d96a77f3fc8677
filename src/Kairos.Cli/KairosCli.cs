using Kairos.Cli.Commands;
using Kairos.Configuration;

namespace Kairos.Cli;

/// <summary>The <c>kairos</c> command: dispatches to one command and maps failures to exit codes (1 failed, 2 usage).</summary>
internal static class KairosCli
{
    public const string Usage = """
        kairos — job scheduler and automation engine

        usage:
          kairos --version
          kairos serve [--config FILE] [--db PATH] [--urls URL]
          kairos validate FILE [--any-handler]
          kairos apply FILE [--dry-run] | kairos diff FILE   (make the server's jobs, webhooks and subscriptions match the file)
          kairos cron next "<expr>" [--tz ZONE] [--from TIME] [--count N]
          kairos jobs list | show NAME | run NAME [--data JSON] [--idempotency-key KEY] [--at TIME | --in DELAY] [--wait [DURATION]] | pause NAME | resume NAME
                      | next NAME [--count 5] | backfill NAME --from TIME --to TIME [--trigger ID] [--overlap allow-all|skip] | delete NAME [--cancel-runs]
          kairos runs list [--job NAME] [--state STATE] [--limit N] | show ID | log ID | cancel ID | retry ID
          kairos workflows list | show NAME [--format text|mermaid|dot] | run ID   (workflow jobs; a workflow's graph; a workflow run's steps)
          kairos workflows send ID STEP [--data JSON]   (deliver an event's data to a workflow step that waits for one)
          kairos events publish TYPE [--data JSON] [--source S] [--priority N] [--idempotency-key K] [--at TIME | --in DELAY] | list [--type PATTERN] [--status S]
                       | show ID | cancel ID | retry ID | replay --subscription NAME --from TIME [--to TIME] [--type PATTERN]
          kairos subscriptions list | kairos webhooks list
          kairos keys create NAME --scope read|run|write|admin [--namespace NS[,NS…]] [--expires 90d|TIME] | list | revoke NAME   (each also takes --db DATABASE)
          kairos secrets set NAME [--from-env VAR | --from-file PATH] (else the value is read from stdin) | list | delete NAME | rotate
          kairos stats
          kairos nodes
          kairos bench throughput [--n N] [--workers N] [--nodes N] [--nodes-as engines|processes] [--enqueue-on all|first]
                     | cron-latency [--triggers N] [--seconds N] [--workers N] | idle [--runs N] [--triggers N] [--seconds N]
                     | webhook-latency [--rate N] [--seconds N]
                     | file-latency [--files N] [--settle DURATION] | publish [--subscriptions N] [--events N]
                     | workflow [--repeat N] [--n N] [--workers N]
                     | claim-latency --db postgres://… [--n N] [--rate N]
                     | failover --db postgres://… [--nodes N] [--leader-lease DURATION] [--stop kill|term]
                     (each also takes --db PATH or --db postgres://…; see docs/benchmarks.md)

        client commands take --server URL (or KAIROS_URL; default http://127.0.0.1:8270), --api-key KEY (or KAIROS_API_KEY),
        --namespace NAME (or KAIROS_NAMESPACE; names may also say it: billing/report) and --json.
        """;

    /// <summary>The build's version (the assembly's informational version, without source-control metadata).</summary>
    public static string Version =>
        (typeof(KairosCli).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown").Split('+')[0];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            output.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] is "--version" or "version")
        {
            output.WriteLine($"kairos {Version}");
            return 0;
        }
        var rest = args[1..];
        try
        {
            return args[0] switch
            {
                "serve" => await ServeCommand.RunAsync(rest, output),
                "validate" => ValidateCommand.Run(rest, output),
                "apply" or "diff" => await ApplyCommand.RunAsync(args[0], rest, output),
                "cron" => CronCommand.Run(rest, output),
                "jobs" => await JobsCommand.RunAsync(rest, output),
                "runs" => await RunsCommand.RunAsync(rest, output),
                "workflows" => await WorkflowsCommand.RunAsync(rest, output),
                "stats" => await StatsCommand.RunAsync(rest, output),
                "nodes" => await NodesCommand.RunAsync(rest, output),
                "events" => await EventsCommand.RunAsync(rest, output),
                "subscriptions" or "webhooks" => await SubscriptionsCommand.RunAsync(args[0], rest, output),
                "keys" => await KeysCommand.RunAsync(rest, output),
                "secrets" => await SecretsCommand.RunAsync(rest, Console.In, output),
                "bench" => await BenchCommand.RunAsync(rest, output),
                _ => throw new UsageException($"unknown command '{args[0]}'"),
            };
        }
        catch (UsageException ex)
        {
            error.WriteLine($"kairos {args[0]}: {ex.Message}");
            error.WriteLine("run `kairos --help` for usage");
            return 2;
        }
        catch (KairosConfigException ex)
        {
            error.WriteLine(ex.Message);
            return 1;
        }
        catch (Exception ex) when (ex is ApiException or KairosException or Storage.KairosStoreException)
        {
            error.WriteLine($"kairos {args[0]}: {ex.Message}");
            return 1;
        }
    }
}

using System.CommandLine;
using System.Text.Json.Nodes;
using Kairos.Configuration;
using Kairos.Configuration.Schema;
using static Kairos.Cli.CliCommand;
using static Kairos.Cli.Commands.ClientCommand;

namespace Kairos.Cli.Commands;

/// <summary>
/// <c>kairos jobs create|edit --file FILE.yaml</c>: the one job a YAML file declares (the schema of
/// the configuration file, under <c>jobs:</c>), checked here with its line and column, then saved
/// over the API (<c>PUT /api/jobs/NAME</c>) in the same schema. <c>kairos jobs create NAME</c> with
/// flags builds that schema from them instead (<see cref="JobFlags"/>). Create refuses a job that
/// exists, edit one that does not.
/// </summary>
internal static class JobsFileCommand
{
    public static Command Build(string verb) => verb == "create"
        ? Leaf(verb, "create a job from flags (NAME --handler H, --cron EXPR, …) or from a YAML file that declares it (--file, as in the configuration file under jobs:)",
            (args, output) => SaveAsync(verb, args, output),
            [OptionalArgument("NAME", "the job's name, with flags"), Valued("--file", "FILE", "the YAML file declaring one job"), .. JobFlags.Options(), .. ClientOptions()])
        : Leaf(verb, "change the fields of a job its flags name (NAME --cron EXPR, --priority N, …), or replace its definition with the one a YAML file declares (--file)",
            (args, output) => SaveAsync(verb, args, output),
            [OptionalArgument("NAME", "the job's name, with flags"), Valued("--file", "FILE", "the YAML file declaring one job"), .. JobFlags.Options(edit: true), .. ClientOptions()]);

    private static Argument<string> OptionalArgument(string name, string description) =>
        new(name) { Description = description, Arity = ArgumentArity.ZeroOrOne };

    private static async Task<int> SaveAsync(string verb, CliArgs args, TextWriter output)
    {
        if (verb == "edit" && args.Get("--file") is null)
        {
            return await EditAsync(args, output);
        }
        var (name, body, source) = args.Get("--file") is { } file
            ? FromFile(verb, file, args)
            : JobFlags.Build(args);
        using var api = ApiClient.For(args);
        var path = JobPath(name);
        var exists = await api.FindAsync(path) is not null;
        if (exists && verb == "create")
        {
            throw new ApiException($"job '{name}' already exists; change it with kairos jobs edit --file {source}");
        }
        if (!exists && verb == "edit")
        {
            throw new ApiException($"job '{name}' does not exist; make it with kairos jobs create --file {source}");
        }
        return await PutAsync(api, name, body, verb == "create" ? "created" : "updated", args, output);
    }

    /// <summary>
    /// <c>kairos jobs edit NAME --flag…</c>: the job as the server has it, in the schema of the YAML file, with the fields
    /// the flags name changed, sent back whole (<c>PUT</c>), so what no flag names stays as it was.
    /// </summary>
    private static async Task<int> EditAsync(CliArgs args, TextWriter output)
    {
        var name = args.Positional(0, "the job name, with the flags to change (or --file FILE)");
        if (!JobFlags.AnyGiven(args))
        {
            throw new UsageException("give the fields to change (--cron, --every, --queue, --retries, --priority, --pause, --resume, --handler…) or --file FILE");
        }
        using var api = ApiClient.For(args);
        var job = await api.FindAsync(JobPath(name)) as JsonObject
            ?? throw new ApiException($"job '{name}' does not exist; make it with kairos jobs create {name} --handler NAME (or --command, --http)");
        job.Remove("name"); // Read-only: the URL names the job.
        job.Remove("status");
        JobFlags.Change(job, args);
        return await PutAsync(api, name, job, "updated", args, output);
    }

    private static string JobPath(string name) => $"api/jobs/{Uri.EscapeDataString(name)}";

    private static async Task<int> PutAsync(ApiClient api, string name, JsonObject body, string done, CliArgs args, TextWriter output)
    {
        var saved = await api.PutAsync(JobPath(name), body.ToJsonString());
        if (args.Has("--json"))
        {
            PrintJson(output, saved);
            return 0;
        }
        output.WriteLine($"job '{name}' {done} ({saved!["status"]!["triggers"]!.AsArray().Count} trigger(s))");
        return 0;
    }

    private static (string Name, JsonObject Body, string Source) FromFile(string verb, string file, CliArgs args)
    {
        if (args.Positionals.Count > 0 || JobFlags.AnyGiven(args))
        {
            throw new UsageException("give either --file FILE or a NAME with flags, not both");
        }
        if (!File.Exists(file))
        {
            throw new UsageException($"file '{file}' does not exist");
        }
        var config = YamlConfigLoader.LoadFile(file);
        if (config.Jobs.Count != 1 || config.Webhooks.Count > 0 || config.Subscriptions.Count > 0)
        {
            throw new UsageException($"{file} declares {config.Jobs.Count} job(s), {config.Webhooks.Count} webhook(s) and {config.Subscriptions.Count} subscription(s): " +
                $"jobs {verb} takes a file with one job and nothing else (kairos apply takes a whole configuration)");
        }
        var job = config.Jobs[0];
        var body = DefinitionWriter.Job(job);
        body.Remove("name"); // The URL names the job.
        return (job.Name, body, file);
    }
}

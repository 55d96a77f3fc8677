using System.CommandLine;
using System.Text.Json;
using Kairos.Configuration;
using Kairos.Model;
using static Kairos.Cli.CliCommand;
using static Kairos.Cli.Commands.ClientCommand;

namespace Kairos.Cli.Commands;

/// <summary>
/// <c>kairos jobs create|edit --file FILE.yaml</c>: the one job a YAML file declares (the schema of
/// the configuration file, under <c>jobs:</c>), checked here with its line and column, then saved
/// over the API (<c>PUT /api/jobs/NAME</c>). Create refuses a job that exists, edit one that does not.
/// </summary>
internal static class JobsFileCommand
{
    /// <summary>The stored shape with every field written, nulls included: the API's strict input wants each one named.</summary>
    private static readonly JsonSerializerOptions EveryField = new(KairosJson.Options) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never };

    public static Command Build(string verb) => Leaf(verb,
        verb == "create" ? "create a job from a YAML file that declares it (as in the configuration file, under jobs:)" : "replace a job's definition with the one a YAML file declares",
        (args, output) => SaveAsync(verb, args, output),
        [Valued("--file", "FILE", "the YAML file declaring one job (required)"), .. ClientOptions()]);

    private static async Task<int> SaveAsync(string verb, CliArgs args, TextWriter output)
    {
        var file = args.Get("--file") ?? throw new UsageException("--file FILE is required: a YAML file that declares one job under jobs:");
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
        using var api = ApiClient.For(args);
        var path = $"api/jobs/{Uri.EscapeDataString(job.Name)}";
        var exists = await api.FindAsync(path) is not null;
        if (exists && verb == "create")
        {
            throw new ApiException($"job '{job.Name}' already exists; change it with kairos jobs edit --file {file}");
        }
        if (!exists && verb == "edit")
        {
            throw new ApiException($"job '{job.Name}' does not exist; make it with kairos jobs create --file {file}");
        }
        var saved = await api.PutAsync(path, JsonSerializer.Serialize(job, EveryField));
        if (args.Has("--json"))
        {
            PrintJson(output, saved);
            return 0;
        }
        output.WriteLine($"job '{job.Name}' {(verb == "create" ? "created" : "updated")} ({saved!["triggers"]!.AsArray().Count} trigger(s))");
        return 0;
    }
}

using Kairos.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kairos.Configuration;

/// <summary>
/// Reads a Kairos YAML file (see docs/configuration.md). Every problem is reported with its line
/// and column, all in one pass; unknown keys are errors, so a typo never silently does nothing.
/// </summary>
public static class YamlConfigLoader
{
    private static readonly string[] JobKeys =
        ["handler", "command", "http", "queue", "priority", "timeout", "retry", "concurrency", "paused", "triggers"];

    public static KairosConfig LoadFile(string path, Func<string, bool>? handlerExists = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new KairosConfigException(path, [new ConfigError(1, 1, $"cannot read the file: {ex.Message}")]);
        }
        return Load(text, path, handlerExists);
    }

    public static KairosConfig Load(string text, string file, Func<string, bool>? handlerExists = null)
    {
        var yaml = new YamlStream();
        var scanner = new Scanner(new StringReader(text));
        try
        {
            yaml.Load(new Parser(scanner));
        }
        catch (YamlException ex)
        {
            var reason = ex.InnerException?.Message ?? ex.Message;
            throw new KairosConfigException(file, [new ConfigError((int)ex.Start.Line, (int)ex.Start.Column, $"malformed YAML: {Trim(reason)}")]);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way, not with a YamlException, on some unclosed flow collections ("a: {b: c" then "d: e").
            var at = scanner.CurrentPosition;
            throw new KairosConfigException(file, [new ConfigError((int)at.Line, (int)at.Column, "malformed YAML: cannot read on from here; is a '[' or '{' above missing its closing bracket?")]);
        }
        var nodes = new YamlNodes();
        var config = yaml.Documents.Count == 0
            ? new KairosConfig(new EngineSettings(), [])
            : ReadRoot(yaml.Documents[0].RootNode, nodes, handlerExists);
        if (nodes.Errors.Count > 0)
        {
            throw new KairosConfigException(file, nodes.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList());
        }
        return config;
    }

    private static string Trim(string reason)
    {
        // YamlDotNet prefixes its own position, which the ConfigError already carries.
        var close = reason.IndexOf("): ", StringComparison.Ordinal);
        return reason.StartsWith("(Line", StringComparison.Ordinal) && close > 0 ? reason[(close + 3)..] : reason;
    }

    private static KairosConfig ReadRoot(YamlNode root, YamlNodes nodes, Func<string, bool>? handlerExists)
    {
        var fields = nodes.Fields(root, "the file", "engine", "jobs");
        var engine = fields.TryGetValue("engine", out var engineNode) ? ReadEngine(engineNode, nodes) : new EngineSettings();
        var jobs = new List<JobDefinition>();
        if (fields.TryGetValue("jobs", out var jobsNode))
        {
            if (jobsNode is not YamlMappingNode jobMap)
            {
                nodes.Error(jobsNode, "jobs must be a mapping of job names to job definitions");
            }
            else
            {
                foreach (var (nameNode, jobNode) in jobMap.Children)
                {
                    var name = nodes.Key(nameNode, "a job name");
                    if (name is null)
                    {
                        continue;
                    }
                    if (JobRules.Name(name) is { } nameError)
                    {
                        nodes.Error(nameNode, nameError);
                        continue;
                    }
                    if (JobReader.Read(name, jobNode, nodes, handlerExists) is { } job)
                    {
                        jobs.Add(job);
                    }
                }
            }
        }
        return new KairosConfig(engine, jobs);
    }

    private static EngineSettings ReadEngine(YamlNode node, YamlNodes nodes)
    {
        var f = nodes.Fields(node, "engine", "workers", "leaseDuration", "misfireThreshold", "shutdownGrace", "queues", "executorLimits");
        return new EngineSettings
        {
            Workers = f.TryGetValue("workers", out var w) ? nodes.Int(w, "engine.workers", 1, 4096) : null,
            LeaseDuration = f.TryGetValue("leaseDuration", out var l) ? nodes.Duration(l, "engine.leaseDuration") : null,
            MisfireThreshold = f.TryGetValue("misfireThreshold", out var m) ? nodes.Duration(m, "engine.misfireThreshold") : null,
            ShutdownGrace = f.TryGetValue("shutdownGrace", out var s) ? nodes.Duration(s, "engine.shutdownGrace") : null,
            QueueLimits = f.TryGetValue("queues", out var q) ? Limits(q, "engine.queues", nodes) : new Dictionary<string, int>(),
            ExecutorLimits = f.TryGetValue("executorLimits", out var e) ? Limits(e, "engine.executorLimits", nodes) : new Dictionary<string, int>(),
        };
    }

    private static Dictionary<string, int> Limits(YamlNode node, string what, YamlNodes nodes)
    {
        var limits = new Dictionary<string, int>(StringComparer.Ordinal);
        if (node is not YamlMappingNode mapping)
        {
            nodes.Error(node, $"{what} must map names to limits, e.g. {{ reports: 2 }}");
            return limits;
        }
        foreach (var (key, value) in mapping.Children)
        {
            var name = nodes.Key(key, $"a key of {what}");
            if (name is not null && nodes.Int(value, $"{what}.{name}", 1, 100_000) is { } limit)
            {
                limits[name] = limit;
            }
        }
        return limits;
    }

    internal static string[] AllowedJobKeys => JobKeys;
}

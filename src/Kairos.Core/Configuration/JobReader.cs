using Kairos.Model;
using YamlDotNet.RepresentationModel;

namespace Kairos.Configuration;

/// <summary>Reads one job of a YAML file into a <see cref="JobDefinition"/>, recording errors in <see cref="YamlNodes"/>.</summary>
internal static class JobReader
{
    public static JobDefinition? Read(string name, YamlNode node, YamlNodes nodes, Func<string, bool>? handlerExists)
    {
        var errorsBefore = nodes.Errors.Count;
        var f = nodes.Fields(node, $"job '{name}'", YamlConfigLoader.AllowedJobKeys);
        var executor = ReadExecutor(name, node, f, nodes, handlerExists);
        var defaults = new JobDefinition { Name = name, Executor = new HandlerExecutorSpec("") };
        var job = new JobDefinition
        {
            Name = name,
            Executor = executor ?? defaults.Executor,
            Queue = f.TryGetValue("queue", out var q) ? ReadQueue(q, nodes) ?? defaults.Queue : defaults.Queue,
            Priority = f.TryGetValue("priority", out var p) ? nodes.Int(p, "priority", JobDefinition.MinPriority, JobDefinition.MaxPriority) ?? 5 : defaults.Priority,
            Timeout = f.TryGetValue("timeout", out var t) ? nodes.TimerDuration(t, "timeout") : null,
            Retry = f.TryGetValue("retry", out var r) ? ReadRetry(r, nodes) : defaults.Retry,
            Concurrency = f.TryGetValue("concurrency", out var c) ? ReadConcurrency(c, nodes) : defaults.Concurrency,
            Paused = f.TryGetValue("paused", out var paused) && (nodes.Bool(paused, "paused") ?? false),
            PauseAfterFailures = f.TryGetValue("pauseAfterFailures", out var failures) ? nodes.Int(failures, "pauseAfterFailures", 1, JobDefinition.MaxPauseAfterFailures) : null,
            Flow = f.TryGetValue("flow", out var flow) ? FlowReader.Read(flow, nodes) : null,
            Triggers = f.TryGetValue("triggers", out var triggers) ? nodes.Sequence(triggers, "triggers").Select(n => TriggerReader.Read(n, nodes)).OfType<TriggerSpec>().ToList() : [],
            Notify = f.TryGetValue("notify", out var notify) ? NotificationReader.Read(notify, nodes) : [],
            Timeouts = f.TryGetValue("timeouts", out var timeouts) ? ReadTimeouts(timeouts, nodes) : null,
        };
        if (FlowRules.WithOverlap(job.Flow, job.Triggers) is { } overlapError)
        {
            nodes.Error(f["flow"], overlapError);
        }
        return nodes.Errors.Count == errorsBefore ? job : null;
    }

    private static string? ReadQueue(YamlNode node, YamlNodes nodes)
    {
        var queue = nodes.String(node, "queue");
        if (queue is not null && JobRules.Name(queue, "queue") is { } error)
        {
            nodes.Error(node, error);
            return null;
        }
        return queue;
    }

    /// <summary>The one executor of a job, or of a workflow step (whose keys never hold a workflow).</summary>
    internal static ExecutorSpec? ReadExecutor(string name, YamlNode jobNode, Dictionary<string, YamlNode> f, YamlNodes nodes, Func<string, bool>? handlerExists)
    {
        var given = new[] { "handler", "command", "http", "workflow" }.Where(f.ContainsKey).ToList();
        if (given.Count != 1)
        {
            nodes.Error(given.Count == 0 ? jobNode : f[given[1]],
                $"job '{name}' needs exactly one executor: handler, command, http or workflow" + (given.Count > 1 ? $" (found {string.Join(" and ", given)})" : ""));
            return null;
        }
        var node = f[given[0]];
        switch (given[0])
        {
            case "workflow":
                return WorkflowReader.Read(name, node, nodes, handlerExists);
            case "handler":
                var handler = nodes.String(node, "handler");
                if (handler is not null && handlerExists is not null && !handlerExists(handler))
                {
                    nodes.Error(node, $"no handler named '{handler}' is registered");
                }
                return handler is null ? null : new HandlerExecutorSpec(handler);
            case "command":
                return ReadCommand(node, nodes);
            default:
                return ReadHttp(node, nodes);
        }
    }

    private static CommandExecutorSpec? ReadCommand(YamlNode node, YamlNodes nodes)
    {
        if (node is YamlSequenceNode)
        {
            return Argv(node, nodes) is { } argv ? new CommandExecutorSpec(argv) : null;
        }
        var f = nodes.Fields(node, "command", "argv", "env", "workingDirectory", "maxOutputBytes", "killGrace", "allowOptions");
        if (!f.TryGetValue("argv", out var argvNode))
        {
            nodes.Error(node, "command needs argv: the executable and its arguments as a list");
            return null;
        }
        var argvList = Argv(argvNode, nodes);
        if (argvList is null)
        {
            return null;
        }
        var defaults = new CommandExecutorSpec(argvList);
        return defaults with
        {
            Env = f.TryGetValue("env", out var env) ? nodes.StringMap(env, "command.env") : defaults.Env,
            WorkingDirectory = f.TryGetValue("workingDirectory", out var dir) ? nodes.String(dir, "command.workingDirectory") : null,
            MaxOutputBytes = f.TryGetValue("maxOutputBytes", out var max) ? nodes.Int(max, "command.maxOutputBytes", 1024, int.MaxValue) ?? defaults.MaxOutputBytes : defaults.MaxOutputBytes,
            KillGracePeriod = f.TryGetValue("killGrace", out var grace) ? nodes.TimerDuration(grace, "command.killGrace") ?? defaults.KillGracePeriod : defaults.KillGracePeriod,
            AllowOptions = f.TryGetValue("allowOptions", out var allow)
                ? nodes.Sequence(allow, "command.allowOptions").Select(n => nodes.Int(n, "an argument index in command.allowOptions", 1, argvList.Count - 1)).OfType<int>().ToList()
                : [],
        };
    }

    private static List<string>? Argv(YamlNode node, YamlNodes nodes)
    {
        if (node is not YamlSequenceNode sequence || sequence.Children.Count == 0)
        {
            nodes.Error(node, "command must be a non-empty list: the executable, then each argument (no shell is used)");
            return null;
        }
        var argv = sequence.Children.Select(n => nodes.String(n, "a command argument")).ToList();
        return argv.Contains(null) ? null : argv.Select(a => a!).ToList();
    }

    internal static HttpExecutorSpec? ReadHttp(YamlNode node, YamlNodes nodes, string defaultMethod = "GET")
    {
        var f = nodes.Fields(node, "http", "method", "url", "headers", "body", "timeout", "maxResponseBytes");
        if (!f.TryGetValue("url", out var urlNode))
        {
            nodes.Error(node, "http needs a url");
            return null;
        }
        var url = nodes.String(urlNode, "http.url");
        if (url is not null && JobRules.HttpUrl(url) is { } urlError)
        {
            nodes.Error(urlNode, urlError);
        }
        var method = f.TryGetValue("method", out var m) ? nodes.String(m, "http.method")?.ToUpperInvariant() : defaultMethod;
        if (m is not null && method is not null && JobRules.HttpMethod(method) is { } methodError)
        {
            nodes.Error(m, methodError);
            method = null;
        }
        string? body = null;
        if (f.TryGetValue("body", out var bodyNode))
        {
            body = bodyNode is YamlScalarNode scalar ? scalar.Value : YamlNodes.ToJson(bodyNode)?.ToJsonString();
        }
        if (url is null || method is null)
        {
            return null;
        }
        var spec = new HttpExecutorSpec(method, url)
        {
            Body = body,
            Headers = f.TryGetValue("headers", out var h) ? nodes.StringMap(h, "http.headers") : new Dictionary<string, string>(),
            RequestTimeout = f.TryGetValue("timeout", out var t) ? nodes.TimerDuration(t, "http.timeout") : null,
        };
        return f.TryGetValue("maxResponseBytes", out var max)
            ? spec with { MaxResponseBytes = nodes.Int(max, "http.maxResponseBytes", 1, int.MaxValue) ?? spec.MaxResponseBytes }
            : spec;
    }

    internal static RetryPolicy ReadRetry(YamlNode node, YamlNodes nodes)
    {
        var f = nodes.Fields(node, "retry", "backoff", "initialDelay", "maxDelay", "jitter", "maxAttempts");
        var d = RetryPolicy.Default;
        var retry = new RetryPolicy(
            f.TryGetValue("backoff", out var b)
                ? nodes.Enum(b, "retry.backoff", ("fixed", BackoffKind.Fixed), ("linear", BackoffKind.Linear), ("exponential", BackoffKind.Exponential)) ?? d.Backoff
                : d.Backoff,
            f.TryGetValue("initialDelay", out var i) ? nodes.Duration(i, "retry.initialDelay") ?? d.InitialDelay : d.InitialDelay,
            f.TryGetValue("maxDelay", out var m) ? nodes.Duration(m, "retry.maxDelay") ?? d.MaxDelay : d.MaxDelay,
            f.TryGetValue("jitter", out var j) ? nodes.Double(j, "retry.jitter", 0, 1) ?? d.Jitter : d.Jitter,
            f.TryGetValue("maxAttempts", out var a) ? nodes.Int(a, "retry.maxAttempts", 1, 1000) ?? d.MaxAttempts : d.MaxAttempts);
        if (JobRules.Retry(retry) is { } error)
        {
            nodes.Error(node, error);
        }
        return retry;
    }

    private static RunTimeouts? ReadTimeouts(YamlNode node, YamlNodes nodes)
    {
        var f = nodes.Fields(node, "timeouts", "start", "finish");
        if (f.Count == 0 && node is YamlMappingNode)
        {
            nodes.Error(node, "timeouts needs start (longest wait queued), finish (longest in total) or both, e.g. { start: 10m, finish: 1h }");
        }
        return new RunTimeouts
        {
            Start = f.TryGetValue("start", out var start) ? nodes.TimerDuration(start, "timeouts.start") : null,
            Finish = f.TryGetValue("finish", out var finish) ? nodes.TimerDuration(finish, "timeouts.finish") : null,
        };
    }

    private static ConcurrencyPolicy ReadConcurrency(YamlNode node, YamlNodes nodes)
    {
        var f = nodes.Fields(node, "concurrency", "maxInstances", "onOverlap");
        return new ConcurrencyPolicy(
            f.TryGetValue("maxInstances", out var m) ? nodes.Int(m, "concurrency.maxInstances", 1, 100_000) : null,
            f.TryGetValue("onOverlap", out var o) ? nodes.Enum(o, "concurrency.onOverlap", ("queue", OverlapPolicy.Queue), ("skip", OverlapPolicy.Skip)) ?? OverlapPolicy.Queue : OverlapPolicy.Queue);
    }
}

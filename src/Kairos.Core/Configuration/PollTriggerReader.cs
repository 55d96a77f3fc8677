using Kairos.Model;
using YamlDotNet.RepresentationModel;

namespace Kairos.Configuration;

/// <summary>
/// Reads a poll trigger: <c>poll: NAME</c> (a registered IPollTrigger), or
/// <c>poll: { http: {...} }</c> / <c>poll: { sql: {...} }</c>, with <c>every</c>, <c>timeout</c>, <c>allowConcurrent</c>.
/// </summary>
internal static class PollTriggerReader
{
    public static PollTriggerSpec? Read(Dictionary<string, YamlNode> f, YamlNodes nodes)
    {
        var node = f["poll"];
        PollTriggerSpec? spec;
        if (node is YamlScalarNode)
        {
            spec = nodes.String(node, "poll (a registered poller's name)") is { } name ? new PollTriggerSpec { Poller = name } : null;
        }
        else
        {
            var p = nodes.Fields(node, "poll", "http", "sql");
            if (p.Count != 1)
            {
                nodes.Error(node, "poll needs a registered poller's name, or exactly one of: http, sql");
                return null;
            }
            spec = p.TryGetValue("http", out var http) ? ReadHttp(http, nodes) : ReadSql(p["sql"], nodes);
        }
        if (spec is null)
        {
            return null;
        }
        if (f.TryGetValue("every", out var every))
        {
            spec = spec with { Interval = nodes.Duration(every, "every") };
        }
        else if (spec.Poller is null)
        {
            nodes.Error(node, "an http or sql poll needs every: how often to poll, e.g. every: 30s");
        }
        if (f.TryGetValue("timeout", out var timeout))
        {
            spec = spec with { Timeout = nodes.TimerDuration(timeout, "timeout") ?? spec.Timeout };
        }
        if (f.TryGetValue("allowConcurrent", out var concurrent))
        {
            spec = spec with { AllowConcurrent = nodes.Bool(concurrent, "allowConcurrent") };
        }
        return spec;
    }

    private static PollTriggerSpec? ReadHttp(YamlNode node, YamlNodes nodes)
    {
        var f = nodes.Fields(node, "poll.http", "url", "headers", "status", "field", "equals", "onChange");
        if (!f.TryGetValue("url", out var urlNode) || nodes.String(urlNode, "poll.http.url") is not { } url)
        {
            nodes.Error(node, "poll.http needs a url");
            return null;
        }
        if (JobRules.HttpUrl(url) is { } urlError)
        {
            nodes.Error(urlNode, urlError);
        }
        var http = new HttpPollSpec(url)
        {
            Headers = f.TryGetValue("headers", out var h) ? nodes.StringMap(h, "poll.http.headers") : new Dictionary<string, string>(),
            Status = f.TryGetValue("status", out var s) ? nodes.Int(s, "poll.http.status", 100, 599) : null,
            Field = f.TryGetValue("field", out var field) ? nodes.String(field, "poll.http.field") : null,
            EqualsJson = f.TryGetValue("equals", out var eq) ? YamlNodes.ToJson(eq)?.ToJsonString() ?? "null" : null,
            OnChange = f.TryGetValue("onChange", out var change) && (nodes.Bool(change, "poll.http.onChange") ?? false),
        };
        if (http.Status is null && http.EqualsJson is null && !http.OnChange)
        {
            nodes.Error(node, "poll.http needs a condition: status, field with equals, or onChange: true");
        }
        if (http.EqualsJson is not null && http.Field is null)
        {
            nodes.Error(node, "poll.http: equals needs field, the dotted path of the JSON value to compare");
        }
        return new PollTriggerSpec { Http = http };
    }

    private static PollTriggerSpec? ReadSql(YamlNode node, YamlNodes nodes)
    {
        var f = nodes.Fields(node, "poll.sql", "provider", "connection", "connectionEnv", "query", "watermark");
        string? Get(string key) => f.TryGetValue(key, out var n) ? nodes.String(n, $"poll.sql.{key}") : null;
        var provider = Get("provider");
        if (provider is not null && provider is not ("sqlite" or "postgres"))
        {
            nodes.Error(f["provider"], $"poll.sql.provider '{provider}' is not one of: sqlite, postgres");
            return null;
        }
        var connection = Get("connection") ?? (Get("connectionEnv") is { } env ? "env:" + env : null);
        var query = Get("query");
        var watermark = Get("watermark");
        if (provider is null || connection is null || query is null || watermark is null)
        {
            nodes.Error(node, "poll.sql needs provider (sqlite or postgres), connection (or connectionEnv), query and watermark");
            return null;
        }
        return new PollTriggerSpec { Sql = new SqlPollSpec(provider, connection, query, watermark) };
    }
}

using Kairos.Webhooks;
using YamlDotNet.RepresentationModel;

namespace Kairos.Configuration;

/// <summary>Reads one entry of the <c>webhooks:</c> section.</summary>
internal static class WebhookReader
{
    public static WebhookDefinition? Read(string name, YamlNode node, YamlNodes nodes)
    {
        var errorsBefore = nodes.Errors.Count;
        var f = nodes.Fields(node, $"webhook '{name}'", "verify", "secret", "secretEnv", "replayWindow", "maxBodyBytes", "rateLimit", "headers");
        var verification = f.TryGetValue("verify", out var v)
            ? nodes.Enum(v, "verify", ("none", WebhookVerification.None), ("github", WebhookVerification.GitHub),
                ("standard", WebhookVerification.StandardWebhooks), ("bearer", WebhookVerification.Bearer)) ?? WebhookVerification.None
            : WebhookVerification.None;
        SecretSource? secret = null;
        if (f.TryGetValue("secret", out var literal) && nodes.String(literal, "secret") is { } value)
        {
            secret = SecretSource.Literal(value);
        }
        if (f.TryGetValue("secretEnv", out var env) && nodes.String(env, "secretEnv") is { } variable)
        {
            if (secret is not null)
            {
                nodes.Error(env, "give either secret or secretEnv, not both");
            }
            secret = SecretSource.Environment(variable);
        }
        if (verification != WebhookVerification.None && secret is null)
        {
            nodes.Error(node, $"webhook '{name}' verifies with {v!.ToString().Trim()} and needs a secret: secretEnv: VARIABLE (preferred) or secret: VALUE");
        }
        var hook = new WebhookDefinition(name) { Verification = verification, Secret = secret };
        if (f.TryGetValue("replayWindow", out var window))
        {
            hook = hook with { ReplayWindow = nodes.Duration(window, "replayWindow") ?? hook.ReplayWindow };
        }
        if (f.TryGetValue("maxBodyBytes", out var max))
        {
            hook = hook with { MaxBodyBytes = nodes.Int(max, "maxBodyBytes", 1, (int)WebhookLimits.MaxBodyBytes) ?? hook.MaxBodyBytes };
        }
        if (f.TryGetValue("rateLimit", out var rate))
        {
            var r = nodes.Fields(rate, "rateLimit", "requests", "per");
            var requests = r.TryGetValue("requests", out var n) ? nodes.Int(n, "rateLimit.requests", 1, 1_000_000) : null;
            var per = r.TryGetValue("per", out var p) ? nodes.Duration(p, "rateLimit.per") : null;
            if (requests is null || per is null)
            {
                nodes.Error(rate, "rateLimit needs requests and per, e.g. { requests: 10, per: 1s }");
            }
            else
            {
                hook = hook with { RateLimit = new WebhookRateLimit(requests.Value, per.Value) };
            }
        }
        if (f.TryGetValue("headers", out var headers))
        {
            hook = hook with { Headers = nodes.Sequence(headers, "headers").Select(h => nodes.String(h, "a header name")).OfType<string>().ToList() };
        }
        return nodes.Errors.Count == errorsBefore ? hook : null;
    }
}

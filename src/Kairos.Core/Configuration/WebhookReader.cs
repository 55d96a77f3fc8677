using Kairos.Webhooks;
using YamlDotNet.RepresentationModel;

namespace Kairos.Configuration;

/// <summary>Reads one entry of the <c>webhooks:</c> section.</summary>
internal static class WebhookReader
{
    /// <summary>One hook; <c>stored</c> is, over the API, the hook being replaced, whose literal secret a definition without one keeps (<see cref="StoredLiteralSecret"/>).</summary>
    public static WebhookDefinition? Read(string name, YamlNode node, YamlNodes nodes, WebhookDefinition? stored = null)
    {
        var errorsBefore = nodes.Errors.Count;
        var f = nodes.Fields(node, $"webhook '{name}'", "verify", "secret", "secretEnv", "replayWindow", "maxBodyBytes", "rateLimit", "headers", "hmac", "publish");
        // Where each field was written, so that a rule broken by the definition is reported there.
        var positions = new Dictionary<string, YamlNode>(f, StringComparer.Ordinal);
        var verification = f.TryGetValue("verify", out var v)
            ? nodes.Enum(v, "verify", WebhookOptionNames.Verifications) ?? WebhookVerification.None
            : WebhookVerification.None;
        SecretSource? secret = null;
        if (f.TryGetValue("secret", out var literal) && nodes.String(literal, "secret") is { } value)
        {
            secret = SecretSource.FromText(value);
        }
        if (f.TryGetValue("secretEnv", out var env) && nodes.String(env, "secretEnv") is { } variable)
        {
            if (secret is not null)
            {
                nodes.Error(env, "give either secret or secretEnv, not both");
            }
            secret = SecretSource.Environment(variable);
        }
        var hook = new WebhookDefinition(name)
        {
            Verification = verification,
            Secret = StoredLiteralSecret.Keep(secret, verification, stored),
            Hmac = f.TryGetValue("hmac", out var hmac) ? ReadHmac(hmac, nodes, positions) : null,
        };
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
        if (f.TryGetValue("publish", out var publish))
        {
            hook = hook with { Publish = nodes.String(publish, "publish") };
        }
        foreach (var error in WebhookRules.Check(hook))
        {
            // Each problem at the field it is about, else at the section holding it (rateLimit.requests at rateLimit), else at the hook.
            var at = positions.GetValueOrDefault(error.Field) ?? positions.GetValueOrDefault(error.Field.Split('.')[0]) ?? node;
            nodes.Error(at, $"webhook '{name}': {error}");
        }
        return nodes.Errors.Count == errorsBefore ? hook : null;
    }

    private static HmacVerification ReadHmac(YamlNode node, YamlNodes nodes, Dictionary<string, YamlNode> positions)
    {
        var h = nodes.Fields(node, "hmac", "header", "algorithm", "encoding", "prefix", "signedContent", "timestampHeader");
        foreach (var (key, value) in h)
        {
            positions["hmac." + key] = value;
        }
        // A missing header is left to WebhookRules, which says so for the API too.
        var hmac = new HmacVerification(h.TryGetValue("header", out var header) ? nodes.String(header, "hmac.header") ?? "" : "")
        {
            Prefix = h.TryGetValue("prefix", out var prefix) ? nodes.String(prefix, "hmac.prefix") : null,
            TimestampHeader = h.TryGetValue("timestampHeader", out var timestamp) ? nodes.String(timestamp, "hmac.timestampHeader") : null,
        };
        if (h.TryGetValue("algorithm", out var algorithm))
        {
            hmac = hmac with { Algorithm = nodes.Enum(algorithm, "hmac.algorithm", WebhookOptionNames.Algorithms) ?? hmac.Algorithm };
        }
        if (h.TryGetValue("encoding", out var encoding))
        {
            hmac = hmac with { Encoding = nodes.Enum(encoding, "hmac.encoding", WebhookOptionNames.Encodings) ?? hmac.Encoding };
        }
        if (h.TryGetValue("signedContent", out var content))
        {
            hmac = hmac with { SignedContent = nodes.String(content, "hmac.signedContent") ?? hmac.SignedContent };
        }
        return hmac;
    }
}

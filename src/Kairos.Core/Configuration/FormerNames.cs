namespace Kairos.Configuration;

/// <summary>
/// Keys of the API's former job and webhook shape (the stored model as JSON), each with what to
/// write instead: a body sent in that shape is refused with the new name rather than a bare list of
/// allowed keys, so a script written against the old API is easy to update.
/// </summary>
internal static class FormerNames
{
    private static readonly Dictionary<string, string> Hints = new(StringComparer.Ordinal)
    {
        ["executor"] = "use handler:, command:, http: or workflow: as in YAML",
        ["kind"] = "name the kind by its key, as in YAML: e.g. { \"cron\": \"0 9 * * *\" }, { \"interval\": \"10m\" }, { \"handler\": \"echo\" }",
        ["expression"] = "use cron: for the expression",
        ["at"] = "use once: for the time",
        ["hook"] = "use webhook: for the webhook's name",
        ["path"] = "use file: for the directory",
        ["poller"] = "use poll: NAME",
        ["run"] = "write the step's executor as its own key: handler:, command: or http:",
        ["killGracePeriod"] = "use killGrace:",
        ["requestTimeout"] = "use timeout:",
        ["rateLimitRequests"] = "use rateLimit: { requests: N, per: 1s }",
        ["rateLimitPer"] = "use rateLimit: { requests: N, per: 1s }",
        ["pattern"] = "use events: for the event type pattern",
    };

    /// <summary>What to write instead of <paramref name="key"/>, or null when it is no former name.</summary>
    public static string? Hint(string key) => Hints.GetValueOrDefault(key);
}

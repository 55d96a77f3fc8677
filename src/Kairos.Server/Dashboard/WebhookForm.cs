using Kairos.Configuration;
using Kairos.Model;
using Kairos.Webhooks;
using Microsoft.AspNetCore.Http;

namespace Kairos.Server.Dashboard;

/// <summary>
/// The webhook form as posted: name, how a sender is verified, where the secret comes from (an
/// environment variable or a stored secret, by name: a secret's value is never asked for nor shown),
/// the HMAC signature header, a rate limit, the replay window and the event type it publishes.
/// Settings the form does not show (other HMAC details, copied headers, body size) are kept from the
/// hook being edited. Problems are found by the engine's own rules (<see cref="WebhookRules"/>) and
/// shown next to their field, all at once.
/// </summary>
public sealed record WebhookForm(string? Original, string Name, string Verify, string SecretFrom, string SecretName, string HmacHeader,
    string RateRequests, string RatePer, string ReplayWindow, string Publish)
{
    /// <summary>Where a secret may come from on this form: by name, never by value. <c>keep</c> keeps a secret set in the configuration.</summary>
    public static readonly string[] SecretSources = ["env", "secret", "keep"];

    public IReadOnlyDictionary<string, string> Errors { get; init; } = new Dictionary<string, string>();

    /// <summary>The engine's refusal of a setting the form does not show; null when none.</summary>
    public string? Refusal { get; init; }

    /// <summary>The hook being edited, whose settings the form does not show are kept; null for a new one.</summary>
    public WebhookDefinition? Existing { get; init; }

    public bool IsNew => Original is null;

    public string? Error(string field) => Errors.GetValueOrDefault(field);

    /// <summary>Whether the hook being edited has a secret set in the configuration (a value the form never shows), which "keep" keeps.</summary>
    public bool CanKeepSecret => Existing?.Secret is { EnvironmentVariable: null, SecretName: null };

    public static WebhookForm Empty { get; } = new(null, "", "none", "env", "", "", "", "", Durations.Format(new WebhookDefinition("x").ReplayWindow), "");

    public static WebhookForm Of(WebhookDefinition hook) => new(hook.Name, hook.Name,
        WebhookOptionNames.Name(WebhookOptionNames.Verifications, hook.Verification),
        hook.Secret switch { { SecretName: not null } => "secret", null or { EnvironmentVariable: not null } => "env", _ => "keep" },
        hook.Secret?.SecretName ?? hook.Secret?.EnvironmentVariable ?? "",
        hook.Hmac?.Header ?? "",
        hook.RateLimit?.Requests.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
        hook.RateLimit is { } limit ? Durations.Format(limit.Per) : "",
        Durations.Format(hook.ReplayWindow),
        hook.Publish ?? "") { Existing = hook };

    public static WebhookForm Read(IFormCollection form) => new(
        DashboardQuery.Field(form, "original", 400),
        DashboardQuery.Field(form, "name", 400)?.Trim() ?? "",
        DashboardQuery.Field(form, "verify", 20)?.Trim() ?? "",
        DashboardQuery.Field(form, "secretFrom", 20)?.Trim() ?? "",
        DashboardQuery.Field(form, "secretName")?.Trim() ?? "",
        DashboardQuery.Field(form, "hmacHeader")?.Trim() ?? "",
        DashboardQuery.Field(form, "rateRequests", 20)?.Trim() ?? "",
        DashboardQuery.Field(form, "ratePer", 40)?.Trim() ?? "",
        DashboardQuery.Field(form, "replayWindow", 40)?.Trim() ?? "",
        DashboardQuery.Field(form, "publish")?.Trim() ?? "");

    /// <summary>
    /// The definition the form describes and the problems of its fields: first what does not parse (a
    /// choice, a number, a duration), then the engine's name rule and <see cref="WebhookRules"/> on the result.
    /// </summary>
    public (WebhookDefinition Hook, WebhookForm Checked) Build()
    {
        var errors = new Dictionary<string, string>();
        var verification = WebhookOptionNames.Find(WebhookOptionNames.Verifications, Verify);
        if (verification is null)
        {
            errors["verify"] = $"Verification is one of {WebhookOptionNames.List(WebhookOptionNames.Verifications)}, not '{Verify}'.";
        }
        var secret = Secret(errors);
        var limit = RateLimit(errors);
        if (!Durations.TryParse(ReplayWindow, out var replay))
        {
            errors["replayWindow"] = $"'{ReplayWindow}' is not a duration: write a number and a unit, such as 30s, 5m or 1h.";
        }
        var basis = Existing ?? new WebhookDefinition(Name);
        var hook = basis with
        {
            Name = IsNew ? Name : Original!,
            Verification = verification ?? basis.Verification,
            Secret = secret,
            Hmac = verification == WebhookVerification.Hmac ? (basis.Hmac ?? new HmacVerification(HmacHeader)) with { Header = HmacHeader } : null,
            RateLimit = limit,
            ReplayWindow = errors.ContainsKey("replayWindow") ? basis.ReplayWindow : replay,
            Publish = Publish.Length == 0 ? null : Publish,
        };
        if (IsNew && JobRules.QualifiedName(Name, "webhook") is { } nameError)
        {
            errors["name"] = Name.Length == 0 ? "Give the webhook a name: it is the last part of its address, /hooks/NAME." : nameError;
        }
        foreach (var problem in WebhookRules.Check(hook))
        {
            if (FieldOf(problem.Field) is not var (field, label))
            {
                return (hook, this with { Errors = errors, Refusal = problem.ToString() });
            }
            // The rules word a problem after the setting's name ("is required…"), as the YAML reader prints it: here the label says which.
            errors.TryAdd(field, problem.Message.StartsWith("is ", StringComparison.Ordinal) || problem.Message.StartsWith("must ", StringComparison.Ordinal)
                ? $"{label} {problem.Message}" : problem.Message);
        }
        return (hook, this with { Errors = errors });
    }

    private SecretSource? Secret(Dictionary<string, string> errors)
    {
        switch (SecretFrom)
        {
            case "keep" when CanKeepSecret:
                return Existing!.Secret;
            case "env" or "secret" when SecretName.Length == 0:
                return null; // No secret: the rules say whether the verification needs one.
            case "env":
                return SecretSource.Environment(SecretName);
            case "secret":
                return SecretSource.Named(SecretName);
            default:
                errors["secretName"] = $"The secret comes from an environment variable (env) or a stored secret (secret), not '{SecretFrom}'.";
                return Existing?.Secret;
        }
    }

    private WebhookRateLimit? RateLimit(Dictionary<string, string> errors)
    {
        if (RateRequests.Length == 0 && RatePer.Length == 0)
        {
            return null;
        }
        if (!int.TryParse(RateRequests, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var requests))
        {
            errors["rateLimit"] = $"'{RateRequests}' is not a number of requests (a whole number); leave both boxes empty for no limit.";
            return null;
        }
        if (!Durations.TryParse(RatePer, out var per))
        {
            errors["rateLimit"] = $"'{RatePer}' is not a duration, such as 1m; leave both boxes empty for no limit.";
            return null;
        }
        return new WebhookRateLimit(requests, per);
    }

    /// <summary>The form field showing a rule's problem, and what it is called there; null for a setting the form does not show.</summary>
    private static (string Field, string Label)? FieldOf(string ruleField) => ruleField switch
    {
        "publish" => ("publish", "The event type"),
        "secret" => ("secretName", "The secret"),
        "hmac" or "hmac.header" => ("hmacHeader", "The signature header"),
        "replayWindow" => ("replayWindow", "The replay window"),
        "rateLimit.requests" => ("rateLimit", "The number of requests"),
        "rateLimit.per" => ("rateLimit", "The period"),
        _ => null,
    };
}

using Kairos.Access;
using Kairos.Client;
using Kairos.Configuration;
using Kairos.Model;
using Microsoft.AspNetCore.Http;

namespace Kairos.Server.Dashboard;

/// <summary>
/// The new-key form as posted: name, scope, namespaces (blank: every one), expiry (blank: never;
/// a duration such as 90d, or an instant), each field's problem found with the rules the key store
/// applies, so each shows next to its field at once.
/// </summary>
public sealed record KeyForm(string Name, string Scope, string Namespaces, string Expires)
{
    public IReadOnlyDictionary<string, string> Errors { get; init; } = new Dictionary<string, string>();

    /// <summary>The store's refusal of the whole form (a name in use); null when none.</summary>
    public string? Refusal { get; init; }

    public string? Error(string field) => Errors.GetValueOrDefault(field);

    public static KeyForm Empty { get; } = new("", "read", "", "");

    public static KeyForm Read(IFormCollection form) => new(
        DashboardQuery.Field(form, "name")?.Trim() ?? "",
        DashboardQuery.Field(form, "scope", 20)?.Trim() ?? "",
        DashboardQuery.Field(form, "namespaces", 8000)?.Trim() ?? "",
        DashboardQuery.Field(form, "expires", 100)?.Trim() ?? "");

    /// <summary>The namespaces typed, separated by commas or spaces; null when none (every namespace).</summary>
    public IReadOnlyList<string>? NamespaceList =>
        Namespaces.Split([',', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } list ? list : null;

    /// <summary>The key's scope, and when it expires (null: never), when the form has no problem.</summary>
    public (KairosScope Scope, DateTimeOffset? ExpiresAt) Parsed(DateTimeOffset now)
    {
        KairosScopes.TryParse(Scope, out var scope);
        return (scope, Expires.Length == 0 ? null : Durations.TryParseInstantOrDuration(Expires, now, out var at) ? at : null);
    }

    public KeyForm Checked(DateTimeOffset now)
    {
        var errors = new Dictionary<string, string>();
        if (JobRules.Name(Name.Length == 0 ? null : Name) is { } nameError)
        {
            errors["name"] = Name.Length == 0 ? "Give the key a name: who or what will use it." : nameError.Replace("job name", "key name", StringComparison.Ordinal);
        }
        if (!KairosScopes.TryParse(Scope, out _))
        {
            errors["scope"] = $"The scope is {KairosScopes.Names}, not '{Scope}'.";
        }
        if (NamespaceList is { } list)
        {
            if (list.Count > ApiKeyRules.MaxNamespaces)
            {
                errors["namespaces"] = $"A key is bound to at most {ApiKeyRules.MaxNamespaces} namespaces, not {list.Count}.";
            }
            else if (list.Select(Kairos.Access.Namespaces.Check).FirstOrDefault(e => e is not null) is { } nsError)
            {
                errors["namespaces"] = nsError;
            }
        }
        if (Expires.Length > 0)
        {
            if (!Durations.TryParseInstantOrDuration(Expires, now, out var at))
            {
                errors["expires"] = $"'{Expires}' is neither a duration (90d) nor an instant (2027-01-31T00:00:00Z).";
            }
            else if (at <= now)
            {
                errors["expires"] = "The expiry must be in the future.";
            }
        }
        return this with { Errors = errors };
    }
}

using System.Text.RegularExpressions;
using Kairos.Events;
using Kairos.Model;
using Kairos.Webhooks;

namespace Kairos.Access;

/// <summary>
/// Namespaces divide jobs, triggers, webhooks, subscriptions, events and runs between owners.
/// <para>
/// An object's namespace is written in its name: <c>billing/report</c> is the job <c>report</c> of
/// namespace <c>billing</c>, and a name without a slash belongs to <see cref="Default"/>. Names
/// cannot contain a slash otherwise, so the two never mix, and a database from before namespaces
/// needs no change. Below the client (engine, drivers, routing) a name is only a name; the client
/// qualifies the names it is given with its own namespace (<see cref="Client.IKairosClient.In"/>),
/// returns names qualified, and answers as if absent for anything of another namespace. Events
/// carry their namespace in their type the same way (<c>billing/invoice.paid</c>), and reach only
/// subscriptions of that namespace.
/// </para>
/// </summary>
public static partial class Namespaces
{
    public const string Default = "default";

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}\\z")]
    private static partial Regex NamePattern();

    /// <summary>Null when <paramref name="name"/> may name a namespace, else what is wrong.</summary>
    public static string? Check(string? name) =>
        name is not null && NamePattern().IsMatch(name)
            ? null
            : $"{InputText.Quote(name)} is not a valid namespace: use 1–63 lower-case letters, digits or '-', starting with a letter or digit";

    /// <summary><paramref name="name"/> in <paramref name="ns"/>; a name that already says its namespace is returned as it is.</summary>
    public static string Qualify(string ns, string name) =>
        ns == Default || name.Contains('/', StringComparison.Ordinal) ? name : $"{ns}/{name}";

    /// <summary>The namespace a (qualified) name belongs to.</summary>
    public static string Of(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? Default : name[..slash];
    }

    /// <summary>The name without its namespace.</summary>
    public static string Local(string name) => name[(name.IndexOf('/', StringComparison.Ordinal) + 1)..];

    /// <summary>
    /// For drivers filtering by namespace: names of <paramref name="ns"/> start with the result ("" for
    /// <see cref="Default"/>, whose names have no slash); null when <paramref name="ns"/> is null (every name).
    /// </summary>
    internal static string? Prefix(string? ns) => ns is null ? null : ns == Default ? "" : ns + "/";

    /// <summary>Whether <paramref name="name"/> is in <paramref name="ns"/> (null: every namespace; a missing name is in none).</summary>
    internal static bool Contains(string? ns, string? name) => ns is null || (name is not null && Of(name) == ns);

    /// <summary>The job with its name and the jobs and webhooks its triggers name qualified in <paramref name="ns"/>.</summary>
    internal static JobDefinition Into(string ns, JobDefinition job) => job with
    {
        Name = Qualify(ns, job.Name),
        Triggers = job.Triggers.Select(t => t switch
        {
            CompletionTriggerSpec completion => completion with { Job = Qualify(ns, completion.Job) },
            WebhookTriggerSpec hook => hook with { Hook = Qualify(ns, hook.Hook) },
            _ => t,
        }).ToList(),
    };

    internal static Subscription Into(string ns, Subscription subscription) =>
        subscription with { Name = Qualify(ns, subscription.Name), Job = Qualify(ns, subscription.Job) };

    internal static WebhookDefinition Into(string ns, WebhookDefinition hook) => hook with { Name = Qualify(ns, hook.Name) };
}

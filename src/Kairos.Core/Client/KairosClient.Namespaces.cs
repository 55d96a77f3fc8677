using Kairos.Access;

namespace Kairos.Client;

/// <summary>
/// The namespace this client works in. Null is the whole database, for a caller of every namespace:
/// names are taken as written (<c>report</c> in the default namespace, <c>billing/report</c> in
/// billing). In a namespace, names are taken in it, lists hold only its objects, and a name, run or
/// event of another namespace is not found, exactly as one that does not exist.
/// </summary>
internal sealed partial class KairosClient
{
    public string? Namespace => ns;

    public async Task<IReadOnlyList<NamespaceInfo>> ListNamespacesAsync(CancellationToken cancellationToken = default)
    {
        IEnumerable<string> names = caller.Namespaces ?? await AllNamespacesAsync(cancellationToken).ConfigureAwait(false);
        var found = new List<NamespaceInfo>();
        foreach (var name in names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var stats = await Store.GetStatsAsync(name, cancellationToken).ConfigureAwait(false);
            found.Add(new NamespaceInfo(name, stats.Jobs, stats.RunsByState));
        }
        return found;
    }

    /// <summary>Every namespace something is declared in: the names of jobs, webhooks and subscriptions, and the configured limits.</summary>
    private async Task<IEnumerable<string>> AllNamespacesAsync(CancellationToken cancellationToken)
    {
        var jobs = await Store.ListJobsAsync(cancellationToken).ConfigureAwait(false);
        var hooks = await Store.ListWebhooksAsync(cancellationToken).ConfigureAwait(false);
        var subscriptions = await Store.ListSubscriptionsAsync(cancellationToken).ConfigureAwait(false);
        return jobs.Select(j => j.Definition.Name).Concat(hooks.Select(h => h.Name)).Concat(subscriptions.Select(s => s.Name))
            .Select(Namespaces.Of)
            .Concat(engine.Options.Namespaces.Keys)
            .Append(Namespaces.Default);
    }

    public IKairosClient In(string? other)
    {
        if (other is not null && Namespaces.Check(other) is { } error)
        {
            throw new KairosValidationException(error);
        }
        if (!caller.MayUse(other))
        {
            // Said the same way whether or not anything exists there: a caller learns nothing of a namespace it is not in.
            throw new KairosNotFoundException(other is null
                ? $"'{caller.Name}' works only in its namespaces ({string.Join(", ", caller.Namespaces!)}): name one"
                : $"namespace '{other}' does not exist");
        }
        return new KairosClient(engine, caller, other);
    }

    /// <summary><paramref name="name"/> as stored, or null when it names something of another namespace.</summary>
    private string? Here(string name)
    {
        if (ns is null)
        {
            return name;
        }
        var qualified = Namespaces.Qualify(ns, name);
        return Namespaces.Of(qualified) == ns ? qualified : null;
    }

    /// <summary>A job's name as stored; one of another namespace is not found.</summary>
    private string JobHere(string name) => NameHere(name, "job");

    private string NameHere(string name, string what) =>
        Here(name) ?? throw new KairosNotFoundException($"{what} '{name}' does not exist");

    /// <summary>Refuses to create <paramref name="name"/> outside this client's namespace.</summary>
    private void RequireHere(string name, string what)
    {
        if (!Namespaces.Contains(ns, name))
        {
            throw new KairosValidationException($"{what} '{name}' is not in namespace '{ns}', where this request works");
        }
    }
}

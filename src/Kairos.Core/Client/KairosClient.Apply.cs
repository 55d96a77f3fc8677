using Kairos.Access;
using Kairos.Configuration;
using Kairos.Model;

namespace Kairos.Client;

/// <summary>Applying a YAML configuration: the declarative way to keep definitions (see <see cref="Engine.Definitions.DeclaredDefinitions"/>).</summary>
internal sealed partial class KairosClient
{
    public async Task<ApplyPlan> ApplyAsync(string yaml, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        if (ns is not null || caller.Namespaces is not null)
        {
            throw new KairosForbiddenException("apply works on the whole database: use a key of every namespace, without ?namespace=");
        }
        var config = YamlConfigLoader.Load(yaml, "the applied configuration", engine.HandlerExists);
        if (config.Jobs.Count + config.Webhooks.Count + config.Subscriptions.Count == 0)
        {
            // An empty or truncated file would otherwise delete every declared definition and cancel their runs.
            throw new KairosValidationException(
                "the configuration declares no jobs, webhooks or subscriptions; applying it would delete every declared one: delete them one by one (kairos jobs delete) instead");
        }
        // Every job checked before anything is written; a dry run writes nothing and only compares.
        foreach (var job in dryRun ? [] : config.Jobs)
        {
            Authorization.RequireMayDeclare(Caller, job);
        }
        return await engine.ApplyAsync(config.Jobs, config.Webhooks, config.Subscriptions, dryRun, cancellationToken).ConfigureAwait(false);
    }
}

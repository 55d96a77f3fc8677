using System.Text;
using System.Text.Json.Nodes;
using Kairos.Configuration;
using Kairos.Configuration.Schema;
using Kairos.Engine.Definitions;
using Kairos.Access;
using Kairos.Client;
using Kairos.Model;
using Kairos.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Server.Api;

/// <summary>
/// <c>POST /api/apply[?dryRun=true]</c>: the body is a YAML configuration (as <c>kairos serve --config</c>
/// reads; sent as text, any content type), applied declaratively (<see cref="IKairosClient.ApplyAsync"/>).
/// Write scope; a file declaring command jobs needs what saving them through the API needs.
/// </summary>
internal static class ApplyEndpoint
{
    public static void Map(IEndpointRouteBuilder api) =>
        api.MapPost("/apply", async (bool? dryRun, HttpRequest request, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            using var body = await ApiBodyLimit.ReadAsync(request, ct);
            string yaml;
            try
            {
                yaml = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body.GetBuffer(), 0, (int)body.Length);
            }
            catch (DecoderFallbackException)
            {
                throw new KairosValidationException("the configuration is not UTF-8 text");
            }
            var plan = await kairos.ApplyAsync(yaml, dryRun ?? false, ct);
            // A dry run (kairos diff) shows each update as it is stored and as the file declares it; ApplyAsync has checked the file.
            var declared = plan.DryRun ? YamlConfigLoader.Load(yaml, "the applied configuration") : null;
            var changes = new List<ChangeView>();
            foreach (var change in plan.Changes.Where(c => c.Action != ApplyAction.Unchanged))
            {
                var view = new ChangeView(change.Kind, change.Name, change.Action.ToString().ToLowerInvariant());
                changes.Add(declared is not null && change.Action == ApplyAction.Update ? await WithDefinitionsAsync(view, declared, kairos, ct) : view);
            }
            return Results.Ok(new PlanView(plan.DryRun, changes, plan.Count(ApplyAction.Unchanged)));
        }).Requires(KairosScope.Write).ReadsBody<string>("application/yaml", "text/yaml", "text/plain").Produces<PlanView>();

    /// <summary>The definition stored and the one declared, both in the schema of the YAML file.</summary>
    private static async Task<ChangeView> WithDefinitionsAsync(ChangeView view, KairosConfig declared, IKairosClient kairos, CancellationToken ct) => view.Kind switch
    {
        DeclaredDefinitions.Job => view with
        {
            Before = (await kairos.GetJobAsync(view.Name, ct))?.Definition is { } job ? DefinitionWriter.Job(job) : null,
            After = DefinitionWriter.Job(declared.Jobs.Single(j => j.Name == view.Name)),
        },
        DeclaredDefinitions.Webhook => view with
        {
            Before = await kairos.GetWebhookAsync(view.Name, ct) is { } hook ? DefinitionWriter.Webhook(hook) : null,
            After = DefinitionWriter.Webhook(declared.Webhooks.Single(h => h.Name == view.Name)),
        },
        _ => view with
        {
            Before = await kairos.GetSubscriptionAsync(view.Name, ct) is { } subscription ? DefinitionWriter.Subscription(subscription) : null,
            After = DefinitionWriter.Subscription(declared.Subscriptions.Single(s => s.Name == view.Name)),
        },
    };

    /// <param name="Changes">What was (or would be) created, updated or deleted.</param>
    /// <param name="Unchanged">How many declared definitions were already as declared.</param>
    public sealed record PlanView(bool DryRun, IReadOnlyList<ChangeView> Changes, int Unchanged);

    /// <param name="Before">In a dry run, for an update: the definition as stored (the schema of the YAML file).</param>
    /// <param name="After">In a dry run, for an update: the definition as the file declares it.</param>
    public sealed record ChangeView(string Kind, string Name, string Action, JsonObject? Before = null, JsonObject? After = null);
}

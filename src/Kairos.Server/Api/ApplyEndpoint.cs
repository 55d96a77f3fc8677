using System.Text;
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
            return Results.Ok(new PlanView(plan.DryRun,
                plan.Changes.Where(c => c.Action != ApplyAction.Unchanged).Select(c => new ChangeView(c.Kind, c.Name, c.Action.ToString().ToLowerInvariant())).ToList(),
                plan.Count(ApplyAction.Unchanged)));
        }).Requires(KairosScope.Write).ReadsBody<string>("application/yaml", "text/yaml", "text/plain").Produces<PlanView>();

    /// <param name="Changes">What was (or would be) created, updated or deleted.</param>
    /// <param name="Unchanged">How many declared definitions were already as declared.</param>
    public sealed record PlanView(bool DryRun, IReadOnlyList<ChangeView> Changes, int Unchanged);

    public sealed record ChangeView(string Kind, string Name, string Action);
}

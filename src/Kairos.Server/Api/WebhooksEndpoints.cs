using Kairos.Access;
using Kairos.Client;
using Kairos.Server.Access;
using Microsoft.Extensions.DependencyInjection;
using System.Text.Json.Nodes;
using Kairos.Configuration;
using Kairos.Configuration.Schema;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Kairos.Server.Api;

/// <summary>/api/webhooks: list, show, create or replace (PUT), delete. Secrets go in, never out.</summary>
internal static class WebhooksEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var hooks = api.MapGroup("/webhooks");

        hooks.MapGet("/", async ([FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            Results.Ok(new JsonArray([.. (await kairos.ListWebhooksAsync(ct)).Select(DefinitionWriter.Webhook)]))).Requires(KairosScope.Read).Produces<List<WebhookDocument>>();

        hooks.MapGet("/{name}", async (string name, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            Results.Ok(DefinitionWriter.Webhook(await kairos.GetWebhookAsync(name, ct) ?? throw new KairosNotFoundException($"webhook '{name}' does not exist")))).Requires(KairosScope.Read).Produces<WebhookDocument>();

        hooks.MapPut("/{name}", async (string name, HttpRequest request, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var body = await ApiJson.ReadAsync<JsonObject>(request, "the webhook", ct) ?? [];
            await kairos.SaveWebhookAsync(DefinitionReader.Webhook(name, body, await kairos.GetWebhookAsync(name, ct)), ct);
            // Read back as stored; another request may have deleted it since.
            return Results.Ok(DefinitionWriter.Webhook(await kairos.GetWebhookAsync(name, ct)
                ?? throw new KairosNotFoundException($"webhook '{name}' was deleted while it was being saved")));
        }).Requires(KairosScope.Write).ReadsBody<WebhookDocument>().Produces<WebhookDocument>();

        hooks.MapDelete("/{name}", async (string name, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            await kairos.DeleteWebhookAsync(name, ct)
                ? Results.NoContent()
                : throw new KairosNotFoundException($"webhook '{name}' does not exist")).Requires(KairosScope.Write).Produces(StatusCodes.Status204NoContent);
    }
}

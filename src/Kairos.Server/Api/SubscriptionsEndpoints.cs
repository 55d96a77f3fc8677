using System.Text.Json.Nodes;
using Kairos.Access;
using Kairos.Client;
using Kairos.Server.Access;
using Microsoft.Extensions.DependencyInjection;
using Kairos.Configuration;
using Kairos.Configuration.Schema;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Kairos.Server.Api;

/// <summary>/api/subscriptions: list, show, create or replace (PUT), delete.</summary>
internal static class SubscriptionsEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var subscriptions = api.MapGroup("/subscriptions");

        subscriptions.MapGet("/", async ([FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            Results.Ok(new JsonArray([.. (await kairos.ListSubscriptionsAsync(ct)).Select(DefinitionWriter.Subscription)]))).Requires(KairosScope.Read).Produces<List<SubscriptionDocument>>();

        subscriptions.MapGet("/{name}", async (string name, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            Results.Ok(DefinitionWriter.Subscription(await kairos.GetSubscriptionAsync(name, ct) ?? throw new KairosNotFoundException($"subscription '{name}' does not exist")))).Requires(KairosScope.Read).Produces<SubscriptionDocument>();

        subscriptions.MapPut("/{name}", async (string name, HttpRequest request, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var body = await ApiJson.ReadAsync<JsonObject>(request, "the subscription", ct) ?? [];
            await kairos.SaveSubscriptionAsync(DefinitionReader.Subscription(name, body), ct);
            return Results.Ok(DefinitionWriter.Subscription((await kairos.GetSubscriptionAsync(name, ct))!));
        }).Requires(KairosScope.Write).ReadsBody<SubscriptionDocument>().Produces<SubscriptionDocument>().ProducesProblem(StatusCodes.Status409Conflict);

        subscriptions.MapDelete("/{name}", async (string name, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            await kairos.DeleteSubscriptionAsync(name, ct)
                ? Results.NoContent()
                : throw new KairosNotFoundException($"subscription '{name}' does not exist")).Requires(KairosScope.Write).Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status409Conflict);
    }
}

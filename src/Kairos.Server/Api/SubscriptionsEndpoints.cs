using System.Text.Json.Nodes;
using Kairos.Access;
using Kairos.Client;
using Kairos.Server.Access;
using Microsoft.Extensions.DependencyInjection;
using Kairos.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Kairos.Server.Api;

/// <summary>/api/subscriptions: list, show, create or replace (PUT), delete.</summary>
internal static class SubscriptionsEndpoints
{
    public sealed record SubscriptionBody(string? Events = null, JsonNode? Filter = null, string? Job = null, bool? Active = null);

    public static void Map(IEndpointRouteBuilder api)
    {
        var subscriptions = api.MapGroup("/subscriptions");

        subscriptions.MapGet("/", async ([FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            Results.Ok((await kairos.ListSubscriptionsAsync(ct)).Select(SubscriptionView.From))).Requires(KairosScope.Read).Produces<List<SubscriptionView>>();

        subscriptions.MapGet("/{name}", async (string name, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            Results.Ok(SubscriptionView.From(await kairos.GetSubscriptionAsync(name, ct) ?? throw new KairosNotFoundException($"subscription '{name}' does not exist")))).Requires(KairosScope.Read).Produces<SubscriptionView>();

        subscriptions.MapPut("/{name}", async (string name, HttpRequest request, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var body = await ApiJson.ReadAsync<SubscriptionBody>(request, "the subscription", ct);
            if (body?.Events is null || body.Job is null)
            {
                throw new KairosValidationException("the body needs events (a type pattern such as order.*) and job; optional: filter, active");
            }
            await kairos.SaveSubscriptionAsync(new Subscription(name, body.Events, body.Job) { Filter = body.Filter?.ToJsonString() ?? "{}", Active = body.Active ?? true }, ct);
            return Results.Ok(SubscriptionView.From((await kairos.GetSubscriptionAsync(name, ct))!));
        }).Requires(KairosScope.Write).ReadsBody<SubscriptionBody>().Produces<SubscriptionView>();

        subscriptions.MapDelete("/{name}", async (string name, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            await kairos.DeleteSubscriptionAsync(name, ct)
                ? Results.NoContent()
                : throw new KairosNotFoundException($"subscription '{name}' does not exist")).Requires(KairosScope.Write).Produces(StatusCodes.Status204NoContent);
    }
}

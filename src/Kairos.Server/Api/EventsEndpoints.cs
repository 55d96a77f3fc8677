using System.Text.Json.Nodes;
using Kairos.Access;
using Kairos.Client;
using Kairos.Server.Access;
using Microsoft.Extensions.DependencyInjection;
using Kairos.Events;
using Kairos.Model;
using Kairos.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Kairos.Server.Api;

/// <summary>/api/events: publish, list, show with runs, cancel, retry failed deliveries, replay one event or a time range.</summary>
internal static class EventsEndpoints
{
    /// <summary>The body of POST /api/events.</summary>
    /// <param name="At">When the event's runs are due (an instant); or <paramref name="In"/>, a delay such as 10m.</param>
    public sealed record PublishBody(string? Type = null, string? Source = null, JsonNode? Data = null, int? Priority = null, string? IdempotencyKey = null, string? At = null, string? In = null);

    /// <summary>The body of POST /api/events/replay.</summary>
    public sealed record ReplayBody(string? Subscription = null, DateTimeOffset? From = null, DateTimeOffset? To = null, string? Type = null);

    public static void Map(IEndpointRouteBuilder api)
    {
        var events = api.MapGroup("/events");

        events.MapPost("/", async (HttpRequest request, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var body = await ApiJson.ReadAsync<PublishBody>(request, "the event", ct);
            if (body?.Type is null)
            {
                throw new KairosValidationException("the body needs at least {\"type\": \"...\"}; optional: source, data, priority, idempotencyKey, at or in");
            }
            var result = await kairos.PublishAsync(new EventRequest(body.Type, body.Source ?? "api")
            {
                Data = body.Data?.ToJsonString(),
                Priority = body.Priority ?? 5,
                IdempotencyKey = body.IdempotencyKey,
                NotBefore = Later.Parse(body.At, body.In, kairos.Clock.GetUtcNow()),
            }, ct);
            return Results.Accepted($"/api/events/{result.EventId}", new { eventId = result.EventId, created = result.Created, runIds = result.Runs.Select(r => r.RunId) });
        }).Requires(KairosScope.Run).ReadsBody<PublishBody>().Produces(StatusCodes.Status202Accepted);

        events.MapGet("/", async (string? type, string? status, string? from, string? to, int? limit, long? before, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            EventStatus? parsed = null;
            if (status is not null)
            {
                parsed = Enum.TryParse<EventStatus>(status, ignoreCase: true, out var s)
                    ? s
                    : throw new KairosValidationException($"unknown status '{status}': use pending, processing, completed, failed or cancelled");
            }
            if (type is not null && !EventTypePattern.TryParse(type, out _, out var error))
            {
                throw new KairosValidationException(error!);
            }
            var list = await kairos.ListEventsAsync(new EventQuery { TypePattern = type, Status = parsed, From = ApiInstant.Parse(from, "from"), To = ApiInstant.Parse(to, "to"), Limit = ApiPaging.Limit(limit, 50, ApiPaging.MaxRecords), BeforeId = before }, ct);
            return Results.Ok(list.Select(EventView.From));
        }).Requires(KairosScope.Read).Produces<List<EventView>>();

        events.MapGet("/{id:long}", async (long id, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var evt = await kairos.GetEventAsync(id, ct) ?? throw new KairosNotFoundException($"event {id} does not exist");
            var runs = await kairos.ListRunsAsync(new RunQuery { EventId = id, Limit = 1000 }, ct);
            return Results.Ok(new EventDetailView(EventView.From(evt), runs.Select(RunView.From).ToList()));
        }).Requires(KairosScope.Read).Produces<EventDetailView>();

        events.MapPost("/{id:long}/cancel", async (long id, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            Results.Ok(new { eventId = id, cancelledRuns = await kairos.CancelEventAsync(id, ct) })).Requires(KairosScope.Run).Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status409Conflict);

        events.MapPost("/{id:long}/retry", async (long id, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            Results.Ok(new { eventId = id, retriedRuns = (await kairos.RetryEventAsync(id, ct)).Select(r => r.Id) })).Requires(KairosScope.Run).Produces(StatusCodes.Status200OK);

        events.MapPost("/{id:long}/replay", async (long id, string? subscription, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            Results.Ok(new { eventId = id, runIds = (await kairos.ReplayEventAsync(id, subscription, ct)).Select(r => r.RunId) }))
            .Requires(KairosScope.Run).Produces(StatusCodes.Status200OK);

        events.MapPost("/replay", async (HttpRequest request, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var body = await ApiJson.ReadAsync<ReplayBody>(request, "the replay request", ct);
            if (body?.Subscription is null || body.From is null || body.To is null)
            {
                throw new KairosValidationException("the body needs subscription, from and to (ISO-8601 times); optional: type (a pattern)");
            }
            var runs = await kairos.ReplayEventsAsync(new ReplayRequest(body.Subscription, body.From.Value, body.To.Value) { TypePattern = body.Type }, ct);
            return Results.Ok(new { runIds = runs.Select(r => r.RunId) });
        }).Requires(KairosScope.Run).ReadsBody<ReplayBody>().Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status404NotFound);
    }
}

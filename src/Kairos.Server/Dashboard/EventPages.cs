using Kairos.Access;
using Kairos.Client;
using Kairos.Events;
using Kairos.Model;
using Kairos.Server.Access;
using Kairos.Server.Dashboard.Pages;
using Kairos.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Server.Dashboard;

/// <summary>
/// The event log (<c>/events</c>: by type pattern and status, newest first, paged by id), the queue
/// (<c>/events/queue</c>: what is pending, processing or failed, to cancel or retry) and an event's
/// page (<c>/events/{id}</c>: its data and its deliveries, one run per subscription it matched).
/// </summary>
internal static class EventPages
{
    public const int PageSize = 50;
    private const int MaxDeliveries = 200;
    private static readonly EventStatus[] Queued = [EventStatus.Pending, EventStatus.Processing, EventStatus.Failed];

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/events", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var request = context.Request;
            var filter = new EventsFilter(DashboardQuery.TypePattern(request, "type"), DashboardQuery.Status(request, "status"), DashboardQuery.Id(request, "before", "event"));
            var page = await kairos.ListEventsAsync(new EventQuery { TypePattern = filter.Type, Status = filter.Status, BeforeId = filter.Before, Limit = PageSize + 1 }, ct);
            var events = page.Take(PageSize).ToList();
            return DashboardResults.Page<EventsPage>(context, new EventsModel(filter, events, page.Count > PageSize ? events[^1].Id : null));
        }).ForScope(KairosScope.Read);

        app.MapGet("/events/queue", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var sections = new List<EventQueueSection>();
            foreach (var status in Queued)
            {
                var page = await kairos.ListEventsAsync(new EventQuery { Status = status, Limit = PageSize + 1 }, ct);
                sections.Add(new EventQueueSection(status, page.Take(PageSize).ToList(), page.Count > PageSize));
            }
            return DashboardResults.Page<EventQueuePage>(context, sections);
        }).ForScope(KairosScope.Read);

        app.MapGet("/events/{id}", async (string id, HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            if (!long.TryParse(id, out var eventId) || await kairos.GetEventAsync(eventId, ct) is not { } evt)
            {
                return DashboardResults.NotFound(context, $"There is no event {id}.");
            }
            var runs = await kairos.ListRunsAsync(new RunQuery { EventId = eventId, Limit = MaxDeliveries }, ct);
            // Replay offers the subscriptions whose type pattern takes the event; their filters decide when it is sent.
            var subscriptions = EventReplayTargets.Of(evt, await kairos.ListSubscriptionsAsync(ct));
            return DashboardResults.Page<EventPage>(context, new EventModel(evt, runs, subscriptions, Notice(context.Request)));
        }).ForScope(KairosScope.Read);
    }

    /// <summary>What the last action did, from the redirect after it (<c>?cancelled=2</c>, <c>?retried=1</c>): counts only, never text from the address.</summary>
    private static string? Notice(HttpRequest request)
    {
        int? Count(string name) => int.TryParse(request.Query[name].FirstOrDefault(), out var n) && n is >= 0 and <= 100_000 ? n : null;
        return (Count("cancelled"), Count("retried"), Count("replayed")) switch
        {
            ({ } cancelled, _, _) => $"Cancelled the event and {Runs(cancelled)} of it.",
            (_, { } retried, _) => retried == 1 ? "Queued the event's failed run again." : $"Queued the event's {retried} failed runs again.",
            (_, _, 0) => "Replayed: the subscription's filter does not take the event, so no run was queued.",
            (_, _, { } replayed) => replayed == 1 ? "Replayed: queued 1 run." : $"Replayed: queued {replayed} runs.",
            _ => null,
        };
    }

    private static string Runs(int n) => n == 1 ? "1 queued run" : $"{n} queued runs";
}

/// <summary>What the event log was asked for: a type pattern, a status, and the page before an event id.</summary>
public sealed record EventsFilter(string? Type, EventStatus? Status, long? Before)
{
    public string Link(long? before)
    {
        var query = new List<string>();
        if (Type is not null)
        {
            query.Add("type=" + Uri.EscapeDataString(Type));
        }
        if (Status is { } status)
        {
            query.Add("status=" + Display.Status(status));
        }
        if (before is { } id)
        {
            query.Add("before=" + id);
        }
        return "/events" + (query.Count > 0 ? "?" + string.Join("&", query) : "");
    }
}

public sealed record EventsModel(EventsFilter Filter, IReadOnlyList<StoredEvent> Events, long? NextBefore);

/// <summary>One status of the queue: its newest events, and whether there are more than shown.</summary>
public sealed record EventQueueSection(EventStatus Status, IReadOnlyList<StoredEvent> Events, bool More);

/// <summary>An event's page: the event, its deliveries (its runs, each from one subscription) and what the last action did.</summary>
public sealed record EventModel(StoredEvent Event, IReadOnlyList<RunRecord> Deliveries, IReadOnlyList<string> Subscriptions, string? Notice);

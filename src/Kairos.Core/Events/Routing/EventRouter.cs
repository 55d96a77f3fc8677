using System.Text.Json;
using Kairos.Engine.Enqueueing;
using Kairos.Engine.Flow;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Drivers;

namespace Kairos.Events.Routing;

/// <summary>
/// Publishing and routing, written once for every driver: an event is stored, matched to the active
/// subscriptions (type pattern and JSON filter) and one run is enqueued per match, all inside the
/// caller's transaction. A finished run publishes its run.* event the same way, inside the
/// transaction that records the outcome.
/// <para>
/// Routing never undoes the write it is part of: a subscription whose filter cannot be evaluated is
/// journaled (<c>subscription.failed</c>), marks the event failed and is skipped, so a completion
/// still commits its outcome and the run is not executed again.
/// </para>
/// </summary>
internal static class EventRouter
{
    // Parsed patterns and filters, cached by their text for the whole process.
    private static readonly SubscriptionMatcher Matcher = new();

    /// <summary>Stores the event, cancels the runs it matches (<see cref="CancelOnEvents"/>) and enqueues a run per matching active subscription.</summary>
    public static async ValueTask<PublishResult> PublishAsync(IDriverTransaction tx, EventRequest request, DateTimeOffset now)
    {
        var subscriptions = await tx.ListActiveSubscriptionsAsync().ConfigureAwait(false);
        var envelope = new EventEnvelope(request);
        return await StoreAndRouteAsync(tx, request, now, parent: null, Route(subscriptions, envelope), envelope).ConfigureAwait(false);
    }

    /// <summary>
    /// Publishes an event on behalf of a run that ended (a job's event notification): routed as
    /// <see cref="PublishAsync"/> does, its runs chained to <paramref name="run"/>.
    /// </summary>
    public static async ValueTask<PublishResult> PublishForRunAsync(IDriverTransaction tx, EventRequest request, RunRecord run, DateTimeOffset now)
    {
        var subscriptions = await tx.ListActiveSubscriptionsAsync().ConfigureAwait(false);
        var envelope = new EventEnvelope(request);
        return await StoreAndRouteAsync(tx, request, now, run, Route(subscriptions, envelope), envelope).ConfigureAwait(false);
    }

    /// <summary>
    /// Publishes run.succeeded / run.failed / run.cancelled for a run that just ended. The event is
    /// stored only when some subscription takes it: a busy engine does not store an event per run
    /// nobody asked for. <paramref name="subscriptions"/>: the active subscriptions when the caller
    /// has read them already (a batch of completions).
    /// </summary>
    public static async ValueTask PublishRunFinishedAsync(IDriverTransaction tx, long runId, DateTimeOffset now, IReadOnlyList<Subscription>? subscriptions = null)
    {
        subscriptions ??= await tx.ListActiveSubscriptionsAsync().ConfigureAwait(false);
        if (subscriptions.Count == 0)
        {
            return;
        }
        var run = await tx.GetRunAsync(runId).ConfigureAwait(false);
        if (run is null || EventRouting.RunFinished(run) is not { } request || !Matcher.AnyListens(subscriptions, request.Type))
        {
            return;
        }
        var routes = Route(subscriptions, new EventEnvelope(request));
        if (routes.Count > 0)
        {
            await StoreAndRouteAsync(tx, request, now, run, routes, cancelling: null).ConfigureAwait(false);
        }
    }

    /// <summary>Enqueues one run of <paramref name="subscription"/> per stored event that matches it; journals the replay.</summary>
    public static async ValueTask<IReadOnlyList<EnqueueResult>> ReplayAsync(
        IDriverTransaction tx, Subscription subscription, IReadOnlyList<(long Id, EventRequest Request)> events, ReplayRequest request, DateTimeOffset now)
    {
        var pattern = request.TypePattern is null ? null : EventTypePattern.Parse(request.TypePattern);
        var runs = new List<EnqueueResult>();
        foreach (var (id, evt) in events.Where(e => pattern is null || pattern.Matches(Access.Namespaces.Local(e.Request.Type))))
        {
            var route = Route([subscription], new EventEnvelope(evt));
            if (route.Count == 0)
            {
                continue;
            }
            if (route[0].Error is { } error)
            {
                // Journaled, but the event is not marked failed: its status was settled when it was published.
                await tx.AppendJournalAsync(now, "subscription.failed", subscription.Job, null, null,
                    JsonSerializer.Serialize(new { subscription = subscription.Name, eventId = id, reason = error }, KairosJson.Options)).ConfigureAwait(false);
            }
            else if (await RunForAsync(tx, subscription, id, evt, now, parent: null).ConfigureAwait(false) is { } run)
            {
                runs.Add(run);
            }
        }
        await tx.AppendJournalAsync(now, "event.replayed", subscription.Job, null, null, JsonSerializer.Serialize(
            new { subscription = subscription.Name, from = request.From, to = request.To, type = request.TypePattern, eventId = request.EventId, runs = runs.Count }, KairosJson.Options)).ConfigureAwait(false);
        return runs;
    }

    /// <summary>The subscriptions the event goes to, in their order, with those whose filter failed.</summary>
    private static List<SubscriptionRoute> Route(IReadOnlyList<Subscription> subscriptions, EventEnvelope envelope)
    {
        var routes = new List<SubscriptionRoute>();
        foreach (var subscription in subscriptions)
        {
            try
            {
                if (Matcher.Matches(subscription, envelope))
                {
                    routes.Add(new SubscriptionRoute(subscription, null));
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                routes.Add(new SubscriptionRoute(subscription, $"its filter could not be evaluated: {ex.Message}"));
            }
        }
        return routes;
    }

    /// <summary>Stores the event, then (<paramref name="cancelling"/> given) cancels the runs it matches, then enqueues the routes' runs.</summary>
    private static async ValueTask<PublishResult> StoreAndRouteAsync(IDriverTransaction tx, EventRequest request, DateTimeOffset now, RunRecord? parent,
        List<SubscriptionRoute> routes, EventEnvelope? cancelling)
    {
        if (request.IdempotencyKey is { } key && await tx.FindEventByIdempotencyKeyAsync(key).ConfigureAwait(false) is { } existing)
        {
            return new PublishResult(existing, false, await tx.ListRunsOfEventAsync(existing).ConfigureAwait(false));
        }
        var eventId = await tx.InsertEventAsync(request, now).ConfigureAwait(false);
        await tx.AppendJournalAsync(now, "event.published", parent?.JobName, parent?.Id, null,
            JsonSerializer.Serialize(new { eventId, type = request.Type, source = request.Source, idempotencyKey = request.IdempotencyKey }, KairosJson.Options)).ConfigureAwait(false);
        var cancelled = cancelling is null ? 0 : await CancelOnEvents.CancelAsync(tx, eventId, cancelling, now).ConfigureAwait(false);

        var runs = new List<EnqueueResult>();
        foreach (var route in routes)
        {
            if (route.Error is { } error)
            {
                await SubscriptionFailedAsync(tx, route.Subscription, eventId, error, now).ConfigureAwait(false);
            }
            else if (await RunForAsync(tx, route.Subscription, eventId, request, now, parent).ConfigureAwait(false) is { } run)
            {
                runs.Add(run);
            }
        }
        var released = await Workflows.EventWaits.AfterPublishedAsync(tx, eventId, request, now).ConfigureAwait(false);
        return new PublishResult(eventId, true, runs) { CancelledRuns = cancelled, ReleasedWaits = released };
    }

    private static async ValueTask SubscriptionFailedAsync(IDriverTransaction tx, Subscription subscription, long eventId, string reason, DateTimeOffset now)
    {
        await tx.AppendJournalAsync(now, "subscription.failed", subscription.Job, null, null,
            JsonSerializer.Serialize(new { subscription = subscription.Name, eventId, reason }, KairosJson.Options)).ConfigureAwait(false);
        await tx.MarkEventRoutingFailedAsync(eventId).ConfigureAwait(false);
    }

    /// <summary>One subscription's run for an event; null when a chain limit stops it or its job is gone (journaled).</summary>
    private static async ValueTask<EnqueueResult?> RunForAsync(IDriverTransaction tx, Subscription subscription, long eventId, EventRequest request, DateTimeOffset now, RunRecord? parent)
    {
        var depth = parent is null ? 0 : parent.ChainDepth + 1;
        var limit = subscription.MaxDepth ?? EventRouting.DefaultChainLimit;
        if (parent is not null && depth > limit)
        {
            await tx.AppendJournalAsync(now, "chain.stopped", subscription.Job, parent.Id, null, JsonSerializer.Serialize(
                new { subscription = subscription.Name, eventId, depth, limit, reason = $"the chain reached its maximum depth of {limit}" }, KairosJson.Options)).ConfigureAwait(false);
            return null;
        }
        // Checked first rather than caught: a failed statement inside a PostgreSQL transaction
        // aborts the whole transaction, not just itself.
        if (!await tx.JobExistsAsync(subscription.Job).ConfigureAwait(false))
        {
            await tx.AppendJournalAsync(now, "subscription.failed", subscription.Job, null, null,
                JsonSerializer.Serialize(new { subscription = subscription.Name, eventId, reason = $"job '{subscription.Job}' does not exist" }, KairosJson.Options)).ConfigureAwait(false);
            return null;
        }
        return await RunEnqueuer.EnqueueAsync(tx, new RunRequest(subscription.Job, subscription.OwnerJob is null ? TriggerSources.Event : TriggerSources.Completion)
        {
            Payload = EventRouting.RunPayload(eventId, request, subscription.Name, now, chained: parent is not null),
            Priority = request.Priority,
            NotBefore = request.NotBefore,
            EventId = eventId,
            Subscription = subscription.Name,
            ParentRunId = parent?.Id,
            ChainDepth = depth,
        }, now).ConfigureAwait(false);
    }
}

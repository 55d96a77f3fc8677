using System.Collections.Immutable;
using System.Text.Json;
using Kairos.Events;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Storage.Memory;

/// <summary>The driver's primitives for events, subscriptions, triggers and their file, poll and webhook state.</summary>
internal sealed partial class MemoryStore
{
    private sealed partial class Transaction
    {
        public ValueTask<IReadOnlyList<Subscription>> ListActiveSubscriptionsAsync() =>
            ValueTask.FromResult<IReadOnlyList<Subscription>>(State.Subscriptions.Values.Where(s => s.Active).ToList());

        public ValueTask<long?> FindEventByIdempotencyKeyAsync(string key) =>
            ValueTask.FromResult(State.Events.Values.FirstOrDefault(e => e.Request.IdempotencyKey == key)?.Id);

        public ValueTask<IReadOnlyList<EnqueueResult>> ListRunsOfEventAsync(long eventId) =>
            ValueTask.FromResult<IReadOnlyList<EnqueueResult>>(State.Runs.Values
                .Where(r => r.Run.EventId == eventId).Select(r => new EnqueueResult(r.Run.Id, false, r.Run.State)).ToList());

        public ValueTask<StoredEvent?> GetEventForUpdateAsync(long eventId) =>
            ValueTask.FromResult(State.Events.TryGetValue(eventId, out var row) ? ReadEvent(row, RunsOfEvents(State)) : null);

        public ValueTask MarkEventCancelledAsync(long eventId)
        {
            UpdateEvent(eventId, e => e with { Cancelled = true });
            return ValueTask.CompletedTask;
        }

        public ValueTask<long> InsertEventAsync(EventRequest request, DateTimeOffset publishedAt)
        {
            var id = State.LastEventId + 1;
            State = State with { LastEventId = id, Events = State.Events.Add(id, new EventRow(id, request, Stored(publishedAt), false, false)) };
            return ValueTask.FromResult(id);
        }

        public ValueTask MarkEventRoutingFailedAsync(long eventId)
        {
            UpdateEvent(eventId, e => e with { RoutingFailed = true });
            return ValueTask.CompletedTask;
        }

        public void UpdateEvent(long eventId, Func<EventRow, EventRow> change)
        {
            if (State.Events.TryGetValue(eventId, out var row))
            {
                State = State with { Events = State.Events.SetItem(eventId, change(row)) };
            }
        }

        public ValueTask<string?> AdvanceTriggerAsync(long triggerId, DateTimeOffset expected, DateTimeOffset? next, DateTimeOffset firedAt)
        {
            if (!State.Triggers.TryGetValue(triggerId, out var trigger) || trigger.NextFireAt != Stored(expected))
            {
                return ValueTask.FromResult<string?>(null);
            }
            State = State with { Triggers = State.Triggers.SetItem(triggerId, trigger with { NextFireAt = Stored(next), LastFireAt = Stored(firedAt) }) };
            return ValueTask.FromResult<string?>(trigger.JobName);
        }

        public ValueTask<string?> GetTriggerJobAsync(long triggerId) => ValueTask.FromResult(State.Triggers.GetValueOrDefault(triggerId)?.JobName);

        public ValueTask<bool> RememberFileAsync(long triggerId, FileSnapshot file)
        {
            var stored = file with { ModifiedAt = Stored(file.ModifiedAt) };
            var files = State.Files.GetValueOrDefault(triggerId, ImmutableSortedDictionary.Create<string, FileSnapshot>(StringComparer.Ordinal));
            if (files.GetValueOrDefault(file.Path) == stored)
            {
                return ValueTask.FromResult(false);
            }
            State = State with { Files = State.Files.SetItem(triggerId, files.SetItem(file.Path, stored)) };
            return ValueTask.FromResult(true);
        }

        public ValueTask<bool> ForgetFileAsync(long triggerId, string path)
        {
            if (State.Files.GetValueOrDefault(triggerId) is not { } files || !files.ContainsKey(path))
            {
                return ValueTask.FromResult(false);
            }
            State = State with { Files = State.Files.SetItem(triggerId, files.Remove(path)) };
            return ValueTask.FromResult(true);
        }

        public ValueTask SavePollStateAsync(long triggerId, PollState state)
        {
            State = State with { Polls = State.Polls.SetItem(triggerId, state with { LastPollAt = Stored(state.LastPollAt) }) };
            return ValueTask.CompletedTask;
        }

        // A trigger's key starts with its source ("webhook:gh"); a trigger is listed with its job only.
        public ValueTask<IReadOnlyList<TriggerBinding>> ListTriggersAsync(string source) =>
            ValueTask.FromResult<IReadOnlyList<TriggerBinding>>(State.Triggers.Values
                .Where(t => t.Key.StartsWith(source + ":", StringComparison.Ordinal) && State.Jobs.ContainsKey(t.JobName))
                .OrderBy(t => t.JobName, StringComparer.Ordinal).ThenBy(t => t.Id)
                .Select(t => new TriggerBinding(t.JobName, t.Spec, State.Jobs[t.JobName].Settings.Paused)).ToList());

        public ValueTask<bool> RememberDeliveryIdAsync(string hook, string deliveryId, DateTimeOffset windowStart, DateTimeOffset forgetBefore)
        {
            ForgetDeliveries(hook, Stored(forgetBefore), int.MaxValue);
            var seen = State.WebhookDeliveries.GetValueOrDefault(hook, ImmutableDictionary.Create<string, DateTimeOffset>(StringComparer.Ordinal));
            if (seen.ContainsKey(deliveryId))
            {
                return ValueTask.FromResult(false);
            }
            State = State with { WebhookDeliveries = State.WebhookDeliveries.SetItem(hook, seen.Add(deliveryId, Stored(windowStart))) };
            return ValueTask.FromResult(true);
        }

        /// <summary>Forgets up to <paramref name="limit"/> of the hook's delivery ids received before <paramref name="before"/>, oldest first; returns how many.</summary>
        public int ForgetDeliveries(string hook, DateTimeOffset before, int limit)
        {
            if (State.WebhookDeliveries.GetValueOrDefault(hook) is not { } seen)
            {
                return 0;
            }
            var old = seen.Where(d => d.Value < before).OrderBy(d => d.Value).Take(limit).Select(d => d.Key).ToList();
            State = State with { WebhookDeliveries = State.WebhookDeliveries.SetItem(hook, seen.RemoveRange(old)) };
            return old.Count;
        }
    }

    /// <summary>A trigger spec as a SQL store gives it back: read from the JSON it was stored as.</summary>
    private static TriggerSpec StoredSpec(TriggerSpec spec) =>
        JsonSerializer.Deserialize<TriggerSpec>(JsonSerializer.Serialize(spec, KairosJson.Options), KairosJson.Options)!;
}

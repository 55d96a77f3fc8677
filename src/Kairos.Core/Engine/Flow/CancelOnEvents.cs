using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Engine.Lifecycle;
using Kairos.Events;
using Kairos.Executors;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Drivers;

namespace Kairos.Engine.Flow;

/// <summary>
/// A job's <c>flow.cancelOn</c> rules (<see cref="CancelOnRule"/>), run by <see cref="Events.Routing.EventRouter"/>
/// in the transaction that stores a published event, after the event is stored and before it is routed
/// (the runs it causes are not cancelled by it). Invariants:
/// <list type="bullet">
/// <item>An event reaches only the jobs of its own namespace (the namespace is written in a job's
/// name and in an event's type), as it reaches only the subscriptions of it.</item>
/// <item>A job's rules are stored apart from its definition (<see cref="Stored"/>, NULL for a job
/// without), and an index holds only the jobs that have some: a publish when no job has cancelOn costs
/// one read of an empty index, and a job's runs are read only when one of its patterns takes the type.</item>
/// <item>A run is cancelled when some rule of its job takes the event's type, every entry of the
/// rule's <c>match</c> holds (the event's value at the path, as text, equals the template rendered over
/// the run's payload; a value missing on either side does not match), and the run was created less
/// than the rule's <c>timeout</c> before the event (when it has one).</item>
/// <item>The cancel is a person's (<see cref="RunControl"/>): a queued run ends cancelled at once
/// (journaled <c>run.cancelled</c> with the reason, its run.cancelled event and notifications), a
/// running one is asked to stop (<c>run.cancel-requested</c>, with the reason); the reason names
/// the event's id and type.</item>
/// <item>Locks follow the completions' order, run rows before job rows: every run to cancel is held
/// first, then the trigger runs waiting for them are released (which holds their jobs).</item>
/// <item>The run.* events of finished runs do not cancel runs: they are published on every
/// completion's path, which must stay free of this read (the configuration refuses such a pattern).</item>
/// </list>
/// </summary>
internal static class CancelOnEvents
{
    // Parsed rules and patterns by their stored text, for the whole process.
    private static readonly ConcurrentDictionary<string, IReadOnlyList<CancelOnRule>> Parsed = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, EventTypePattern> Patterns = new(StringComparer.Ordinal);

    /// <summary>The job's cancelOn rules as its row stores them; null when it has none.</summary>
    public static string? Stored(JobDefinition job) =>
        job.Flow is { CancelOn.Count: > 0 } flow ? JsonSerializer.Serialize(flow.CancelOn, KairosJson.Options) : null;

    /// <summary>Cancels the runs the event <paramref name="eventId"/> matches; returns how many it cancelled or asked to stop.</summary>
    public static async ValueTask<int> CancelAsync(IDriverTransaction tx, long eventId, EventEnvelope envelope, DateTimeOffset now)
    {
        var jobs = await tx.ListCancelRulesAsync().ConfigureAwait(false);
        if (jobs.Count == 0)
        {
            return 0;
        }
        var doomed = new SortedSet<long>();
        foreach (var job in jobs)
        {
            if (Access.Namespaces.Of(job.JobName) != envelope.Namespace)
            {
                continue;
            }
            var rules = Parse(job.Rules).Where(r => Patterns.GetOrAdd(r.Event, EventTypePattern.Parse).Matches(envelope.TypeSegments)).ToList();
            if (rules.Count == 0)
            {
                continue;
            }
            foreach (var run in await tx.ListActiveRunsAsync(job.JobName).ConfigureAwait(false))
            {
                if (rules.Any(r => Applies(r, run, envelope, now)))
                {
                    doomed.Add(run.Id);
                }
            }
        }
        foreach (var runId in doomed)
        {
            _ = await tx.GetRunSummaryAsync(runId).ConfigureAwait(false); // Holds the row on PostgreSQL before any job's.
        }
        var reason = $"cancelOn: event {eventId} ({envelope.Request.Type})";
        var ended = new List<RunSummary>();
        var count = 0;
        foreach (var runId in doomed)
        {
            var (result, run) = await RunControl.CancelOneAsync(tx, runId, now, reason).ConfigureAwait(false);
            count += result is CancelResult.Cancelled or CancelResult.CancelRequested ? 1 : 0;
            if (result == CancelResult.Cancelled && run!.TriggerId is not null)
            {
                ended.Add(run);
            }
        }
        foreach (var run in ended)
        {
            await Scheduling.TriggerOverlaps.AfterRunEndedAsync(tx, run.JobName, run.TriggerId!.Value, run.Id, now).ConfigureAwait(false);
        }
        return count;
    }

    /// <summary>Whether <paramref name="rule"/> (whose pattern took the event's type) cancels <paramref name="run"/>.</summary>
    internal static bool Applies(CancelOnRule rule, ActiveRun run, EventEnvelope envelope, DateTimeOffset now)
    {
        if (rule.Timeout is { } timeout && run.CreatedAt <= now - timeout)
        {
            return false;
        }
        foreach (var (path, template) in rule.Match ?? new Dictionary<string, string>())
        {
            if (EventValue(envelope.Json, path) is not { } expected || Rendered(template, run.Payload) != expected)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The event's value at <paramref name="path"/> (<c>data.a.0</c>) as a template renders a value: a string without its quotes, anything else as JSON; null when missing or null.</summary>
    private static string? EventValue(JsonNode envelope, string path)
    {
        JsonNode? node = envelope;
        foreach (var segment in path.Split('.'))
        {
            node = node switch
            {
                JsonObject o => o[segment],
                JsonArray a when int.TryParse(segment, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                _ => null,
            };
        }
        return node switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            _ => node.ToJsonString(KairosJson.Options),
        };
    }

    /// <summary>The template over the run's payload; null when a path is missing (or the payload is not JSON).</summary>
    private static string? Rendered(string template, string? payload)
    {
        try
        {
            return PayloadTemplate.Render(template, payload);
        }
        catch (TemplateException)
        {
            return null;
        }
    }

    private static IReadOnlyList<CancelOnRule> Parse(string stored)
    {
        if (Parsed.TryGetValue(stored, out var rules))
        {
            return rules;
        }
        rules = JsonSerializer.Deserialize<List<CancelOnRule>>(stored, KairosJson.Options) ?? [];
        if (Parsed.Count < 1024)
        {
            Parsed[stored] = rules;
        }
        return rules;
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Engine.Definitions;
using Kairos.Engine.Enqueueing;
using Kairos.Events;
using Kairos.Events.Routing;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Engine.Lifecycle;

/// <summary>
/// A job's notifications (<see cref="JobDefinition.Notify"/>), sent inside the transaction that stores
/// a run's outcome, so an outcome is never stored without them nor they without it:
/// <list type="bullet">
/// <item>an <c>event</c> notification publishes its type, in the job's namespace, with the run's summary
/// as data (routed as any publish; runs it causes are chained to the run, so a loop stops at the chain limit);</item>
/// <item>an <c>http</c> notification does no network I/O here: it is enqueued as a run of the internal job
/// <see cref="JobRules.NotificationJob"/> (created the first time it is needed) whose payload holds the
/// request and the run's summary. That run's attempt sends it after the commit through the HTTP executor —
/// the outbound guard, header secrets, statuses that retry and the journal as for any http job — and
/// retries with the internal job's policy.</item>
/// </list>
/// A job without notifications costs nothing here: the attempt passes the job's list along, and only a
/// non-empty one reads anything.
/// </summary>
internal static class RunNotifications
{
    /// <summary>The internal job's definition: retried for about an hour and a half, exponentially.</summary>
    public static readonly JobDefinition DeliveryJob = new()
    {
        Name = JobRules.NotificationJob,
        Executor = new HttpExecutorSpec("POST", "https://notification.invalid/"),
        Retry = new RetryPolicy(BackoffKind.Exponential, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(30), 0.2, 8),
        Timeout = TimeSpan.FromMinutes(2),
    };

    /// <summary>Sends the notifications of <paramref name="notify"/> that <paramref name="run"/>'s outcome calls for
    /// (<paramref name="run"/>: the run as it ended, its state, error and output those of the outcome).</summary>
    public static async ValueTask SendAsync(IDriverTransaction tx, IReadOnlyList<Notification> notify, RunRecord run, DateTimeOffset now)
    {
        var outcomes = OutcomesOf(run);
        string? summary = null;
        for (var i = 0; i < notify.Count; i++)
        {
            if (!notify[i].On.Any(outcomes.Contains))
            {
                continue;
            }
            summary ??= Summary(run, outcomes[^1], now);
            if (notify[i].Event is { } type)
            {
                var request = new EventRequest(Access.Namespaces.Qualify(Access.Namespaces.Of(run.JobName), type), "kairos") { Data = summary };
                var published = await EventRouter.PublishForRunAsync(tx, request, run, now).ConfigureAwait(false);
                await tx.AppendJournalAsync(now, "notification.sent", run.JobName, run.Id, null, JsonSerializer.Serialize(
                    new { notification = i, on = outcomes[^1].ToString().ToLowerInvariant(), @event = request.Type, eventId = published.EventId }, KairosJson.Options)).ConfigureAwait(false);
            }
            else if (notify[i].Http is { } http)
            {
                if (!await tx.JobExistsAsync(JobRules.NotificationJob).ConfigureAwait(false))
                {
                    await JobDefinitions.SaveAsync(tx, DeliveryJob, [], now).ConfigureAwait(false);
                }
                var payload = new JsonObject
                {
                    ["run"] = JsonNode.Parse(summary),
                    ["notification"] = new JsonObject
                    {
                        ["job"] = run.JobName,
                        ["index"] = i,
                        ["http"] = JsonSerializer.SerializeToNode(http, KairosJson.Options),
                    },
                };
                var delivery = await RunEnqueuer.EnqueueAsync(tx, new RunRequest(JobRules.NotificationJob, TriggerSources.Notification)
                {
                    Payload = payload.ToJsonString(KairosJson.Options),
                    ParentRunId = run.Id,
                    ChainDepth = run.ChainDepth + 1,
                }, now).ConfigureAwait(false);
                await tx.AppendJournalAsync(now, "notification.enqueued", run.JobName, run.Id, null, JsonSerializer.Serialize(
                    new { notification = i, on = outcomes[^1].ToString().ToLowerInvariant(), deliveryRunId = delivery.RunId }, KairosJson.Options)).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// For a run that ended outside an attempt (cancelled while queued, dead after interruptions): reads
    /// its job's definition, and the run only when the job notifies.
    /// </summary>
    public static async ValueTask AfterEndAsync(IDriverTransaction tx, string? jobName, long runId, DateTimeOffset now)
    {
        RunRecord? run = null;
        if (jobName is null)
        {
            run = await tx.GetRunAsync(runId).ConfigureAwait(false);
            jobName = run?.JobName;
        }
        if (jobName is null || await tx.GetJobDefinitionAsync(jobName).ConfigureAwait(false) is not { } definition
            || JsonSerializer.Deserialize<JobDefinition>(definition, KairosJson.Options) is not { Notify.Count: > 0 } job)
        {
            return;
        }
        run ??= await tx.GetRunAsync(runId).ConfigureAwait(false);
        if (run is not null)
        {
            await SendAsync(tx, job.Notify, run, now).ConfigureAwait(false);
        }
    }

    /// <summary>The outcomes a run's end counts as, the most specific last.</summary>
    private static NotifyOn[] OutcomesOf(RunRecord run) => run.State switch
    {
        RunState.Succeeded => [NotifyOn.Succeeded],
        RunState.Cancelled => [NotifyOn.Cancelled],
        RunState.Queued => [NotifyOn.Failed], // failed, queued again for its retry
        RunState.Dead => [NotifyOn.Failed, NotifyOn.Dead],
        _ => [],
    };

    /// <summary>
    /// <c>{id, job, state, attempt, maxAttempts, source, error, output, payload, parentRunId, finishedAt}</c>:
    /// the event's data and, under <c>run</c>, what <c>{{run.…}}</c> templates read. <c>state</c> is the
    /// outcome's word (succeeded, failed, dead, cancelled).
    /// </summary>
    private static string Summary(RunRecord run, NotifyOn outcome, DateTimeOffset now) => new JsonObject
    {
        ["id"] = run.Id,
        ["job"] = run.JobName,
        ["state"] = outcome.ToString().ToLowerInvariant(),
        ["attempt"] = run.Attempt,
        ["maxAttempts"] = run.MaxAttempts,
        ["source"] = run.Source,
        ["error"] = run.Error,
        ["output"] = Storage.EventRouting.ParseOrText(run.Output),
        ["payload"] = Storage.EventRouting.ParseOrText(run.Payload),
        ["parentRunId"] = run.ParentRunId,
        ["finishedAt"] = run.FinishedAt ?? now,
    }.ToJsonString(KairosJson.Options);
}

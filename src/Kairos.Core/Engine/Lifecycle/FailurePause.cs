using System.Text.Json;
using Kairos.Events;
using Kairos.Events.Routing;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Engine.Lifecycle;

/// <summary>
/// <see cref="JobDefinition.PauseAfterFailures"/>: when a run of the job ends dead, and its latest N
/// runs that ended succeeded or dead all died, the job pauses itself in the same transaction,
/// journals why (<c>job.paused</c> with a reason) and publishes a <c>job.paused</c> event, so a
/// subscription can tell a person. Cancelled and skipped runs neither count nor reset the count.
/// </summary>
internal static class FailurePause
{
    public static async ValueTask AfterDeadRunAsync(IDriverTransaction tx, string jobName, DateTimeOffset now)
    {
        // The paused flag lives in the job's row (settings), not in its stored definition.
        if (await tx.GetJobSettingsAsync(jobName).ConfigureAwait(false) is not { Paused: false }
            || await tx.GetJobDefinitionAsync(jobName).ConfigureAwait(false) is not { } stored
            || JsonSerializer.Deserialize<JobDefinition>(stored, KairosJson.Options) is not { PauseAfterFailures: { } limit })
        {
            return;
        }
        var latest = await tx.ListLatestOutcomesAsync(jobName, limit).ConfigureAwait(false);
        if (latest.Count < limit || latest.Any(state => state != RunState.Dead))
        {
            return;
        }
        if (!await tx.SetJobPausedAsync(jobName, paused: true, now).ConfigureAwait(false))
        {
            return;
        }
        var reason = $"{limit} runs in a row ended dead (pauseAfterFailures: {limit}); resume it with kairos jobs resume {jobName}";
        var data = JsonSerializer.Serialize(new { job = jobName, failures = limit, reason }, KairosJson.Options);
        await tx.AppendJournalAsync(now, "job.paused", jobName, null, null, data).ConfigureAwait(false);
        await EventRouter.PublishAsync(tx, new EventRequest("job.paused", "kairos") { Data = data }, now).ConfigureAwait(false);
    }
}

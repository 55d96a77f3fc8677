using System.Diagnostics;
using Kairos.Model;

namespace Kairos.Observability;

/// <summary>
/// What an attempt reports: its span (<c>kairos.run</c>, tags <c>kairos.job</c>, <c>kairos.run.id</c>,
/// <c>kairos.run.attempt</c>, <c>kairos.run.outcome</c>, linked by <see cref="RunTraceLinks"/>) and its
/// measurements (claim latency when it starts; outcome and duration when its outcome is stored).
/// Without a listener the span is null and nothing is built.
/// </summary>
internal sealed class RunTelemetry(KairosMetrics metrics, RunTraceLinks links)
{
    public Activity? Started(RunRecord run)
    {
        if (run.StartedAt is { } started)
        {
            metrics.RunClaimed(run.Queue, started - run.DueAt);
        }
        if (!KairosActivities.Source.HasListeners())
        {
            return null;
        }
        // A root span: what fired the run is linked, not its parent, because that request or run
        // ended long before (and on a busy queue, minutes before) this attempt began.
        var activity = KairosActivities.Source.StartActivity(KairosActivities.RunSpan, ActivityKind.Consumer, default(ActivityContext), links: links.For(run));
        if (activity is { IsAllDataRequested: true })
        {
            activity.DisplayName = $"run {run.JobName}";
            activity.SetTag("kairos.job", run.JobName);
            activity.SetTag("kairos.run.id", run.Id);
            activity.SetTag("kairos.run.attempt", run.Attempt);
            activity.SetTag("kairos.run.source", run.Source);
        }
        if (activity is not null)
        {
            links.Ran(run.Id, activity.Context); // Now, not at the end: a run chained to this one may start before this attempt returns.
        }
        return activity;
    }

    /// <summary>The attempt's outcome was stored as <paramref name="state"/> at <paramref name="finishedAt"/>.</summary>
    public void Finished(RunRecord run, Activity? activity, RunState state, DateTimeOffset finishedAt)
    {
        var outcome = Outcome(state);
        metrics.RunFinished(run.JobName, outcome, finishedAt - run.StartedAt);
        if (activity is null)
        {
            return;
        }
        activity.SetTag("kairos.run.outcome", outcome);
        if (state is RunState.Dead or RunState.Queued)
        {
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }

    /// <summary>The <c>outcome</c> tag: the state an attempt left its run in.</summary>
    public static string Outcome(RunState state) => state switch
    {
        RunState.Succeeded => "succeeded",
        RunState.Queued => "retry",
        RunState.Dead => "dead",
        RunState.Cancelled => "cancelled",
        _ => state.ToWire(), // waiting: a workflow's run, now waiting for its steps.
    };
}

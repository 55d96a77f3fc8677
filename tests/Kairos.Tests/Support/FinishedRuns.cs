using Kairos.Model;
using Kairos.Storage;
using Xunit;

namespace Kairos.Tests.Support;

/// <summary>
/// Runs that finished at a chosen time ("8 days ago"), made through the store's own lifecycle:
/// enqueue, claim and complete, or cancel before the start. The job must exist and have no other
/// run due at that time.
/// </summary>
internal static class FinishedRuns
{
    private static readonly Dictionary<string, int> NoLimits = [];

    public static async Task<long> CreateAsync(IKairosStore store, string job, RunState state, DateTimeOffset at, string owner = "node-a")
    {
        var run = await store.EnqueueAsync(new RunRequest(job, TriggerSources.Manual), at, CancellationToken.None);
        if (state == RunState.Cancelled)
        {
            await store.CancelRunAsync(run.RunId, at, CancellationToken.None);
            return run.RunId;
        }
        var claimed = await store.ClaimAsync(new ClaimRequest(owner, at, at.AddSeconds(30), 1, NoLimits, NoLimits), CancellationToken.None);
        Assert.Equal(run.RunId, Assert.Single(claimed).Id);
        var outcome = state switch
        {
            RunState.Succeeded => RunOutcome.Succeeded,
            RunState.Dead => RunOutcome.Failed, // Failed with no retry time: dead.
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, "succeeded, dead or cancelled"),
        };
        Assert.True(await store.CompleteAsync(new RunCompletion(run.RunId, owner, outcome, at), CancellationToken.None));
        return run.RunId;
    }
}

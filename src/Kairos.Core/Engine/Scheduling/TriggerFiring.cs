using Kairos.Storage;
using Kairos.Storage.Drivers;

namespace Kairos.Engine.Scheduling;

/// <summary>
/// Firing a time trigger: its next fire time moves and its runs are enqueued in one transaction,
/// conditional on the next fire time the scheduler read. A tick therefore fires at most once, even
/// when two schedulers (two leaders for a moment) race for it: the second finds it moved.
/// </summary>
internal static class TriggerFiring
{
    /// <summary>False when the trigger had already moved on (fired elsewhere, or changed meanwhile).</summary>
    public static async ValueTask<bool> FireAsync(IDriverTransaction tx, TriggerFire fire)
    {
        if (await tx.AdvanceTriggerAsync(fire.TriggerId, fire.ExpectedNextFireAt, fire.NewNextFireAt, fire.Now).ConfigureAwait(false) is not { } job)
        {
            return false;
        }
        await tx.AppendJournalAsync(fire.Now, "trigger.fired", job, null, fire.TriggerId, fire.JournalNote).ConfigureAwait(false);
        foreach (var request in fire.Runs)
        {
            await TriggerOverlaps.EnqueueAsync(tx, request, fire.Overlap, fire.Now).ConfigureAwait(false);
        }
        return true;
    }
}

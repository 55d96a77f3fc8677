using Kairos.Engine;

namespace Kairos.Tests.Engine;

/// <summary>
/// Worker slots bound the executors running at once; a run whose executor returned counts as
/// storing its outcome until its attempt finishes (the dispatcher claims the next runs meanwhile).
/// </summary>
public sealed class WorkerSlotsTests
{
    [Fact]
    public async Task A_slot_is_given_back_when_the_executor_returns_and_the_run_counts_as_storing_until_it_finishes()
    {
        var slots = new WorkerSlots(1);
        var returned = 0;
        var first = slots.Take(() => returned++);
        await first.EnterAsync(CancellationToken.None);
        var second = slots.Take(() => returned++);
        var secondEnters = second.EnterAsync(CancellationToken.None);
        Assert.False(secondEnters.IsCompleted); // One worker: the second executor waits.

        first.Leave();
        first.Leave(); // Leaving twice counts once.
        await secondEnters;
        Assert.Equal((1, 1), (slots.Storing, returned));

        first.Finish();
        Assert.Equal(0, slots.Storing);
        second.Finish(); // Ended inside its slot (its executor threw past it): the slot comes back, and it is stored already.
        Assert.Equal((0, 2), (slots.Storing, returned));
        await slots.Take(() => { }).EnterAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_run_stopped_while_waiting_for_a_slot_never_counts_as_storing_and_takes_no_slot()
    {
        var slots = new WorkerSlots(1);
        var holder = slots.Take(() => { });
        await holder.EnterAsync(CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var waiting = slots.Take(() => throw new InvalidOperationException("its executor never ran"));
        var entering = waiting.EnterAsync(stop.Token);
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => entering);
        waiting.Finish();

        holder.Leave();
        holder.Finish();
        Assert.Equal(0, slots.Storing);
        await slots.Take(() => { }).EnterAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
    }
}

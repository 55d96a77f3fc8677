namespace Kairos.Engine;

/// <summary>
/// The node's <see cref="Hosting.KairosOptions.Workers"/> as executors running at once. A run enters
/// a slot just before its executor starts and leaves it as soon as the executor returns, before its
/// outcome is stored: the next run starts while the outcome waits for its group commit rather than
/// after it. <see cref="Storing"/> counts the runs between the two, whose executor returned and
/// whose outcome is not stored yet; a ticket's <c>executorReturned</c> is told when it joins them.
/// </summary>
internal sealed class WorkerSlots(int workers)
{
    private readonly SemaphoreSlim _slots = new(workers, Math.Max(workers, 1));
    private int _storing;

    /// <summary>Attempts whose executor returned and that have not <see cref="Ticket.Finish"/>ed: their outcomes are being stored.</summary>
    public int Storing => Volatile.Read(ref _storing);

    /// <summary>A place for one attempt, not yet entered; <paramref name="executorReturned"/> runs when its executor returns.</summary>
    public Ticket Take(Action executorReturned) => new(this, executorReturned);

    /// <summary>One attempt's place: entered before its executor, left once (leaving again does nothing), finished when the attempt ends.</summary>
    internal sealed class Ticket(WorkerSlots slots, Action executorReturned)
    {
        private int _state; // 0 outside, 1 inside, 2 left after being inside (storing), 3 finished or left without entering

        /// <summary>Waits for a free slot; throws <see cref="OperationCanceledException"/> when the run is stopped first.</summary>
        public async Task EnterAsync(CancellationToken cancellationToken)
        {
            await slots._slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
            {
                slots._slots.Release(); // Left while waiting: give the slot straight back.
            }
        }

        public void Leave()
        {
            if (Interlocked.CompareExchange(ref _state, 2, 1) == 1)
            {
                Interlocked.Increment(ref slots._storing);
                slots._slots.Release();
                executorReturned();
            }
            else
            {
                Interlocked.CompareExchange(ref _state, 3, 0);
            }
        }

        /// <summary>The attempt ended, its outcome stored (or given up): it no longer counts as <see cref="Storing"/>.</summary>
        public void Finish()
        {
            Leave(); // An attempt that ended inside its slot (it threw) gives the slot back first.
            if (Interlocked.Exchange(ref _state, 3) == 2)
            {
                Interlocked.Decrement(ref slots._storing);
            }
        }
    }
}

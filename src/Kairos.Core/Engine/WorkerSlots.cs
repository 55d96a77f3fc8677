namespace Kairos.Engine;

/// <summary>
/// The node's <see cref="Hosting.KairosOptions.Workers"/> as executors running at once. A run enters
/// a slot just before its executor starts and leaves it as soon as the executor returns, before its
/// outcome is stored: the next run (one claimed ahead, say) starts while the outcome waits for its
/// group commit rather than after it. (The dispatcher still claims due runs only while the node
/// holds fewer than <c>Workers</c> of them, outcomes in flight included.)
/// </summary>
internal sealed class WorkerSlots(int workers)
{
    private readonly SemaphoreSlim _slots = new(workers, Math.Max(workers, 1));

    /// <summary>A place for one attempt, not yet entered.</summary>
    public Ticket Take() => new(this);

    /// <summary>One attempt's place: entered before its executor, left once (leaving again does nothing).</summary>
    internal sealed class Ticket(WorkerSlots slots)
    {
        private int _state; // 0 outside, 1 inside, 2 left

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
            if (Interlocked.Exchange(ref _state, 2) == 1)
            {
                slots._slots.Release();
            }
        }
    }
}

namespace Kairos.Engine;

/// <summary>
/// A wake-up for a sleeping loop: <see cref="Set"/> ends the current or next wait. Several sets
/// before a wait count as one, which is all a loop that re-reads the database needs.
/// </summary>
internal sealed class WakeSignal
{
    private TaskCompletionSource _signal = NewSource();

    public void Set() => Volatile.Read(ref _signal).TrySetResult();

    /// <summary>Whether a wake-up is pending: the wait under way, or the next one, ends at once.</summary>
    public bool IsSet => Volatile.Read(ref _signal).Task.IsCompleted;

    /// <summary>Waits until set or until <paramref name="timeout"/> passes on <paramref name="time"/>'s clock (null: no timeout).</summary>
    public async Task WaitAsync(TimeSpan? timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var signal = Volatile.Read(ref _signal);
        if (!signal.Task.IsCompleted)
        {
            if (timeout is { } t && t <= TimeSpan.Zero)
            {
                return;
            }
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = timeout is { } d ? Task.Delay(d, time, stop.Token) : Task.Delay(Timeout.Infinite, stop.Token);
            await Task.WhenAny(signal.Task, delay).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
        }
        if (signal.Task.IsCompleted)
        {
            // Consume the wake-up; a Set after this lands on the new source and is not lost.
            Interlocked.CompareExchange(ref _signal, NewSource(), signal);
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

using System.Collections.Concurrent;

namespace Kairos.Engine.Services;

/// <summary>
/// Loops started and stopped one by one under a key, each with its own stop linked to the group
/// owner's: a trigger host's one loop per stored trigger.
/// </summary>
internal sealed class ServiceGroup<TKey, TLoop>
    where TKey : notnull
    where TLoop : EngineLoop
{
    private readonly ConcurrentDictionary<TKey, Running> _running = new();

    public ICollection<TKey> Keys => _running.Keys;

    public IEnumerable<TLoop> Loops => _running.Values.Select(r => r.Loop);

    public bool TryGet(TKey key, out TLoop loop)
    {
        var found = _running.TryGetValue(key, out var running);
        loop = running?.Loop!;
        return found;
    }

    /// <summary>Starts <paramref name="loop"/> on the thread pool; it stops with <paramref name="stopping"/> or <see cref="StopAsync"/>.</summary>
    public void Start(TKey key, TLoop loop, CancellationToken stopping)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _running[key] = new Running(loop, stop, Task.Run(() => loop.RunAsync(stop.Token), CancellationToken.None));
    }

    /// <summary>Stops the loop under <paramref name="key"/>, if any, and waits until it has ended.</summary>
    public async Task StopAsync(TKey key)
    {
        if (_running.TryRemove(key, out var running))
        {
            await running.Stop.CancelAsync().ConfigureAwait(false);
            await running.Task.ConfigureAwait(false); // EngineLoop.RunAsync never throws.
            running.Stop.Dispose();
        }
    }

    public Task StopAllAsync() => Task.WhenAll(_running.Keys.ToList().Select(StopAsync));

    private sealed record Running(TLoop Loop, CancellationTokenSource Stop, Task Task);
}

namespace Kairos.Server.Dashboard;

/// <summary>
/// How many live streams (<see cref="RunLiveStream"/>) may be open at once: each holds a connection and
/// reads the run twice a second, so one signed-in caller (by key name; every session of a key counts
/// together) may hold <see cref="PerCaller"/>, and the server <see cref="InAll"/>. A stream asked
/// beyond that gets a 429 page; the run's page still works without it (reload to see changes).
/// </summary>
internal sealed class LiveStreamSlots
{
    public const int PerCaller = 8;
    public const int InAll = 200;

    private readonly Dictionary<string, int> _held = new(StringComparer.Ordinal);
    private int _total;

    /// <summary>A slot for <paramref name="caller"/>, given back when disposed; null when none is free.</summary>
    public IDisposable? TryTake(string caller)
    {
        lock (_held)
        {
            var held = _held.GetValueOrDefault(caller);
            if (held >= PerCaller || _total >= InAll)
            {
                return null;
            }
            _held[caller] = held + 1;
            _total++;
            return new Slot(this, caller);
        }
    }

    private void Give(string caller)
    {
        lock (_held)
        {
            _total--;
            if (--_held[caller] == 0)
            {
                _held.Remove(caller);
            }
        }
    }

    private sealed class Slot(LiveStreamSlots slots, string caller) : IDisposable
    {
        private int _given;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _given, 1) == 0)
            {
                slots.Give(caller);
            }
        }
    }
}

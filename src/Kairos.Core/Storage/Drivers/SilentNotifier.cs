namespace Kairos.Storage.Drivers;

/// <summary>The notifier of a store no other process writes to (a SQLite file, memory): there is nothing to hear.</summary>
internal sealed class SilentNotifier : INotifier
{
    public static readonly SilentNotifier Instance = new();

    private SilentNotifier()
    {
    }

    public Task ListenAsync(Action<StoreChanges> onChange, CancellationToken stopping) => Task.Delay(Timeout.Infinite, stopping);
}

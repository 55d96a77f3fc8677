namespace Kairos.Engine;

/// <summary>
/// Fires one kind of event trigger that needs a running watcher (files, polls) for every stored
/// trigger of that kind. It enqueues through the store, like everything else, then wakes the dispatcher.
/// </summary>
internal interface ITriggerHost
{
    /// <summary>Runs until <paramref name="stopping"/> is cancelled.</summary>
    Task RunAsync(CancellationToken stopping);

    /// <summary>Jobs or triggers changed: re-read the stored triggers of this host's kind.</summary>
    void TriggersChanged();
}

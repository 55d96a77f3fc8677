namespace Kairos.Storage.Drivers;

/// <summary>
/// How a node hears what other nodes change (Oban's notifier): a driver shared by several nodes
/// announces each committed change, and every other node's listener wakes the loops concerned.
/// </summary>
internal interface INotifier
{
    /// <summary>
    /// Calls <paramref name="onChange"/> with what other nodes change, until <paramref name="stopping"/>
    /// is cancelled (then it throws <see cref="OperationCanceledException"/>). After (re)connecting it
    /// reports <see cref="StoreChanges.All"/>, since changes in between were not heard. A store no
    /// other process writes to just waits. Throws when the connection fails; the caller listens again.
    /// </summary>
    Task ListenAsync(Action<StoreChanges> onChange, CancellationToken stopping);
}

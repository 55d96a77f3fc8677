using Kairos.Access;

namespace Kairos.Events;

/// <summary>
/// The subscriptions a stored event can be replayed to: those of its namespace whose type pattern takes its type.
/// Their filters decide, at the replay, whether a run is queued.
/// </summary>
internal static class EventReplayTargets
{
    /// <summary>Their names, in ordinal order.</summary>
    public static IReadOnlyList<string> Of(StoredEvent evt, IEnumerable<Subscription> subscriptions)
    {
        var type = Namespaces.Local(evt.Type);
        return subscriptions
            .Where(s => Namespaces.Of(s.Name) == Namespaces.Of(evt.Type) && EventTypePattern.TryParse(Namespaces.Local(s.Pattern), out var pattern, out _) && pattern!.Matches(type))
            .Select(s => s.Name).Order(StringComparer.Ordinal).ToList();
    }
}

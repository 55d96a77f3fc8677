namespace Kairos.Events.Routing;

/// <summary>
/// A subscription an event is routed to: it matched (<see cref="Error"/> null), or deciding whether it
/// matched failed (its filter threw), which is recorded and skipped rather than failing the write.
/// </summary>
internal readonly record struct SubscriptionRoute(Subscription Subscription, string? Error);

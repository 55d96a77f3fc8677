namespace Kairos.Tests.Support;

/// <summary>The system clock set off by a fixed amount: a node whose clock is wrong. Timers run at the real pace.</summary>
public sealed class OffsetTimeProvider(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
}

using Kairos.Storage;

namespace Kairos.Engine.Cluster;

/// <summary>
/// The engine's clock: the node's <see cref="TimeProvider"/> corrected to the database's time, so
/// nodes whose clocks disagree still agree on when a tick is due, when a lease expires and who
/// leads. The offset is measured against <see cref="IKairosStore.GetDatabaseTimeAsync"/>, taking
/// the middle of the round trip as the moment the database read its clock; a store without a clock
/// of its own (SQLite) leaves the offset at zero. Timers and timestamps are the node's own: only
/// the wall-clock reading moves.
/// </summary>
internal sealed class DatabaseClock(TimeProvider node) : TimeProvider
{
    /// <summary>Offset changes smaller than this are measurement noise, not drift: applying them would only make time jitter.</summary>
    private static readonly TimeSpan Noise = TimeSpan.FromMilliseconds(2);

    private long _offsetTicks;

    /// <summary>Database time minus node time.</summary>
    public TimeSpan Offset => TimeSpan.FromTicks(Volatile.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => node.GetUtcNow() + Offset;

    public override TimeZoneInfo LocalTimeZone => node.LocalTimeZone;

    public override long TimestampFrequency => node.TimestampFrequency;

    public override long GetTimestamp() => node.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        node.CreateTimer(callback, state, dueTime, period);

    /// <summary>A time read from the node's own clock (a file's mtime, say), on the database's time line.</summary>
    public DateTimeOffset FromNodeTime(DateTimeOffset nodeTime) => nodeTime + Offset;

    /// <summary>Measures the offset again; returns false when the store has no clock of its own.</summary>
    public async Task<bool> SyncAsync(IKairosStore store, CancellationToken cancellationToken)
    {
        var before = node.GetUtcNow();
        var started = node.GetTimestamp();
        if (await store.GetDatabaseTimeAsync(cancellationToken).ConfigureAwait(false) is not { } database)
        {
            return false;
        }
        var roundTrip = node.GetElapsedTime(started);
        var offset = database - (before + roundTrip / 2);
        // Database times are whole milliseconds: a measurement can be off by one either way.
        if ((offset - Offset).Duration() > Noise + roundTrip / 2)
        {
            Volatile.Write(ref _offsetTicks, offset.Ticks);
        }
        return true;
    }
}

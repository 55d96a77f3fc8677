namespace Kairos.Tests.Support;

/// <summary>
/// A clock that moves only when a test says so. Timers (and so Task.Delay on this provider) fire
/// during <see cref="Advance"/>, in due order, so a test can run a year of schedules in milliseconds.
/// </summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Moves the clock forward, firing every timer that falls due on the way at its due time.</summary>
    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + by;
        }
        while (true)
        {
            ManualTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.DueAt <= target).MinBy(t => t.DueAt);
                if (next is null)
                {
                    _now = target;
                    return;
                }
                if (next.DueAt > _now)
                {
                    _now = next.DueAt;
                }
                next.Rearm();
            }
            next.Fire();
        }
    }

    public void SetUtcNow(DateTimeOffset time) => Advance(time - GetUtcNow());

    /// <summary>The earliest time a pending timer is due, if any.</summary>
    public DateTimeOffset? NextTimerDue()
    {
        lock (_gate)
        {
            return _timers.Count == 0 ? null : _timers.Min(t => t.DueAt);
        }
    }

    /// <summary>Whether a pending timer is due exactly at <paramref name="at"/> (something waits for that instant).</summary>
    public bool HasTimerAt(DateTimeOffset at)
    {
        lock (_gate)
        {
            return _timers.Any(t => t.DueAt == at);
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public DateTimeOffset DueAt { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
                _period = period;
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    DueAt = owner._now + (dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
                    owner._timers.Add(this);
                }
            }
            if (dueTime == TimeSpan.Zero)
            {
                owner.Advance(TimeSpan.Zero);
            }
            return true;
        }

        /// <summary>Called under the owner's lock when the timer fires: periodic timers go again, one-shots leave.</summary>
        public void Rearm()
        {
            owner._timers.Remove(this);
            if (_period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan)
            {
                DueAt += _period;
                owner._timers.Add(this);
            }
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

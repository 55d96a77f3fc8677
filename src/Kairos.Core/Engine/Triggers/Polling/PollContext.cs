namespace Kairos.Polling;

/// <summary>
/// What a poll is for: the trigger, its job, when it last polled, and its persisted
/// <see cref="State"/> (free text, e.g. JSON with a watermark or the last value seen).
/// </summary>
public sealed class PollContext
{
    internal PollContext(long triggerId, string triggerKey, string jobName, DateTimeOffset polledAt, Storage.PollState state)
    {
        TriggerId = triggerId;
        TriggerKey = triggerKey;
        JobName = jobName;
        PolledAt = polledAt;
        LastPollAt = state.LastPollAt;
        ConsecutiveFailures = state.Failures;
        State = state.Data;
    }

    /// <summary>The stored trigger's id (stable while its definition does not change).</summary>
    public long TriggerId { get; }

    /// <summary>The trigger's key: its kind and a hash of its definition.</summary>
    public string TriggerKey { get; }

    /// <summary>The job the trigger fires.</summary>
    public string JobName { get; }

    /// <summary>When this poll started (the engine's clock); it becomes <c>payload.polledAt</c>.</summary>
    public DateTimeOffset PolledAt { get; }

    /// <summary>When the previous poll started, successful or not; null on the first poll.</summary>
    public DateTimeOffset? LastPollAt { get; }

    /// <summary>How many polls in a row failed before this one.</summary>
    public int ConsecutiveFailures { get; }

    /// <summary>
    /// This trigger's persisted state: null until a poll sets it. Set it to keep something for the
    /// next poll; it is stored only if this poll succeeds (a failed poll keeps the previous state),
    /// in the transaction that enqueues the poll's runs, and survives restarts.
    /// </summary>
    public string? State { get; set; }
}

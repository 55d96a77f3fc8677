namespace Kairos.Polling;

/// <summary>
/// Something Kairos polls every <see cref="Interval"/> to decide whether to run a job: register it
/// with <c>AddKairos().AddPollTrigger&lt;T&gt;()</c> and point a job's trigger at its
/// <see cref="Name"/> (<c>- poll: NAME</c> in YAML, <c>new PollTriggerSpec { Poller = NAME }</c> in code).
/// </summary>
/// <remarks>
/// One instance serves every trigger that names it; <see cref="PollContext"/> tells which trigger a
/// call is for and carries that trigger's persisted state. Throwing, or running longer than the
/// trigger's timeout, counts as a failed poll: it is journaled (<c>poll.failed</c>) and polling
/// goes on with exponential backoff. Honour the <see cref="CancellationToken"/>: it is cancelled at
/// the timeout and at shutdown.
/// </remarks>
public interface IPollTrigger
{
    /// <summary>The name jobs use to refer to this poller.</summary>
    string Name { get; }

    /// <summary>How often to poll; a trigger's own <c>every</c> overrides it.</summary>
    TimeSpan Interval { get; }

    /// <summary>
    /// False: a fire whose context (hashed as canonical JSON) matches a queued or running run of the
    /// same trigger is dropped. A trigger's own <c>allowConcurrent</c> overrides it.
    /// </summary>
    bool AllowConcurrent { get; }

    /// <summary>Polls once: <see cref="PollResult.Skip"/> to do nothing, <see cref="PollResult.Fire(System.Text.Json.Nodes.JsonNode?)"/> to run the job.</summary>
    Task<PollResult> PollAsync(PollContext context, CancellationToken cancellationToken);
}

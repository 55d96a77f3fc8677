namespace Kairos.Polling;

/// <summary>A registered poller under another name (<c>AddPollTrigger&lt;T&gt;(name)</c>).</summary>
internal sealed class NamedPollTrigger(string name, IPollTrigger inner) : IPollTrigger
{
    public string Name => name;

    public TimeSpan Interval => inner.Interval;

    public bool AllowConcurrent => inner.AllowConcurrent;

    public Task<PollResult> PollAsync(PollContext context, CancellationToken cancellationToken) => inner.PollAsync(context, cancellationToken);
}

/// <summary>A poller written as a delegate (<c>AddPollTrigger(name, interval, poll)</c>).</summary>
internal sealed class DelegatePollTrigger(
    string name,
    TimeSpan interval,
    bool allowConcurrent,
    Func<PollContext, CancellationToken, Task<PollResult>> poll) : IPollTrigger
{
    public string Name => name;

    public TimeSpan Interval => interval;

    public bool AllowConcurrent => allowConcurrent;

    public Task<PollResult> PollAsync(PollContext context, CancellationToken cancellationToken) => poll(context, cancellationToken);
}

namespace Kairos.Model;

/// <summary>
/// What a job announces when one of its runs reaches an outcome in <see cref="On"/>: an event of type
/// <see cref="Event"/> (published in the job's namespace, inside the transaction that stores the
/// outcome), or an HTTP request (<see cref="Http"/>), delivered after that transaction by a run of the
/// internal <c>kairos.notify</c> job, with retries. Exactly one of the two is set.
/// </summary>
public sealed record Notification
{
    /// <summary>The outcomes that send it; at least one.</summary>
    public required IReadOnlyList<NotifyOn> On { get; init; }

    /// <summary>The request: <c>{{run.id}}</c>, <c>{{run.output.x}}</c>… templates in the URL, header values
    /// and body (JSON-aware); <c>{{secrets.NAME}}</c> in header values. Method defaults to POST.</summary>
    public HttpExecutorSpec? Http { get; init; }

    /// <summary>The type of the event to publish, with the run's summary as its data.</summary>
    public string? Event { get; init; }
}

/// <summary>An outcome a <see cref="Notification"/> is sent on.</summary>
public enum NotifyOn
{
    /// <summary>An attempt failed, whether it is retried or was the last (then <see cref="Dead"/> too).</summary>
    Failed,

    /// <summary>The run gave up: its last attempt failed, or it was interrupted once too often.</summary>
    Dead,

    Succeeded,

    /// <summary>Cancelled, queued or running (a timeout of the whole run included).</summary>
    Cancelled,
}

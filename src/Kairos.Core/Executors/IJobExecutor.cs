using Kairos.Model;

namespace Kairos.Executors;

/// <summary>
/// Runs one attempt of a run for one kind of <see cref="ExecutorSpec"/>. Executors never throw for a
/// failed job: they return an <see cref="ExecutionResult"/>; the dispatcher turns exceptions that do
/// escape into failures too.
/// </summary>
internal interface IJobExecutor
{
    /// <summary>The <see cref="ExecutorSpec.Kind"/> this executor runs.</summary>
    string Kind { get; }

    Task<ExecutionResult> ExecuteAsync(ExecutionContext context, CancellationToken cancellationToken);
}

/// <summary>What an executor gets for one attempt.</summary>
internal sealed class ExecutionContext
{
    public required RunRecord Run { get; init; }
    public required JobDefinition Job { get; init; }

    /// <summary>Writes a line to the run's log.</summary>
    public required IRunLog Log { get; init; }

    /// <summary>The values of the secrets the job names (<c>{{secrets.NAME}}</c>), for the places that may hold them.</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; init; } = new Dictionary<string, string>();

    /// <summary>What the executor's templates read: the run's payload (<c>{{payload…}}</c>), or for a
    /// notification's delivery the notified run (<c>{{run…}}</c>, under <c>run</c> in the payload).</summary>
    public TemplateRoot Templates { get; init; } = TemplateRoot.Payload;
}

/// <summary>The run's log: lines are kept with the run and shown by <c>kairos runs log</c>.</summary>
internal interface IRunLog
{
    void Write(string stream, string text);
}

/// <summary>The outcome of one attempt.</summary>
internal sealed record ExecutionResult
{
    public required bool Succeeded { get; init; }

    /// <summary>JSON output of a successful attempt (or details of a failed one, such as an HTTP response).</summary>
    public string? Output { get; init; }

    public string? Error { get; init; }

    /// <summary>False for failures that another attempt cannot fix (bad configuration, HTTP 4xx).</summary>
    public bool Retryable { get; init; } = true;

    /// <summary>A delay the remote side asked for (HTTP Retry-After); overrides the retry policy's delay.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The run waits instead of ending: a workflow's run, whose steps now start.</summary>
    public bool Waits { get; init; }

    public static ExecutionResult Success(string? output) => new() { Succeeded = true, Output = output };

    public static ExecutionResult Failure(string error, bool retryable = true, string? output = null) =>
        new() { Succeeded = false, Error = error, Retryable = retryable, Output = output };
}

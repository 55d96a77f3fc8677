using Kairos.Model;

namespace Kairos.Engine.Retries;

/// <summary>
/// Whether and when a run is tried again, decided here and nowhere else:
/// <list type="bullet">
/// <item>A failed attempt is retried while attempts remain and the failure is retryable (a timeout
/// is; a missing job or executor is not), after the job's back-off (<see cref="RetryPolicy.DelayAfter"/>)
/// or the delay the remote side asked for (an HTTP Retry-After), which replaces it.</item>
/// <item>An interrupted attempt (its lease expired, or its node shut down) counts as an attempt: the
/// run is queued again at once, or dead when that was its last attempt.</item>
/// <item>A finished run retried by hand gets the job's attempts again, at least one.</item>
/// </list>
/// </summary>
internal static class RetryDecision
{
    /// <summary>When the failed attempt <paramref name="attempt"/> (1-based) is tried again; null when the run is dead.</summary>
    /// <param name="attempt">The attempt that failed.</param>
    /// <param name="maxAttempts">The run's attempts in all.</param>
    /// <param name="policy">The job's retry policy; null when the job is gone (no retry).</param>
    /// <param name="retryable">False for failures another attempt cannot mend.</param>
    /// <param name="retryAfter">A delay asked for by the remote side; replaces the policy's.</param>
    /// <param name="now">When the attempt ended.</param>
    /// <param name="random">The jitter's source.</param>
    public static DateTimeOffset? AfterFailure(int attempt, int maxAttempts, RetryPolicy? policy, bool retryable, TimeSpan? retryAfter, DateTimeOffset now, Random random) =>
        retryable && policy is not null && attempt < maxAttempts
            ? now + (retryAfter ?? policy.DelayAfter(attempt, random))
            : null;

    /// <summary>True when a run whose attempt was interrupted goes back to the queue; false when it is dead.</summary>
    public static bool RequeueAfterInterruption(int attempt, int maxAttempts) => attempt < maxAttempts;

    /// <summary>The attempts a finished run gets when retried by hand.</summary>
    public static int AttemptsForManualRetry(RetryPolicy? policy) => Math.Max(1, policy?.MaxAttempts ?? 1);
}

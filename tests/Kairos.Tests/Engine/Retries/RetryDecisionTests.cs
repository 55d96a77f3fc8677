using Kairos.Engine.Retries;
using Kairos.Model;

namespace Kairos.Tests.Engine.Retries;

/// <summary>The one place that says whether and when a run is tried again.</summary>
public sealed class RetryDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly RetryPolicy NoJitter = new(BackoffKind.Exponential, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10), 0, 4);

    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 20)]
    [InlineData(3, 40)]
    public void A_retryable_failure_waits_the_policys_back_off_while_attempts_remain(int attempt, int seconds) =>
        Assert.Equal(Now.AddSeconds(seconds), RetryDecision.AfterFailure(attempt, 4, NoJitter, retryable: true, retryAfter: null, Now, new Random(1)));

    [Fact]
    public void The_last_attempt_a_failure_that_cannot_be_mended_and_a_job_that_is_gone_are_not_retried()
    {
        Assert.Null(RetryDecision.AfterFailure(4, 4, NoJitter, retryable: true, retryAfter: null, Now, new Random(1)));
        Assert.Null(RetryDecision.AfterFailure(1, 4, NoJitter, retryable: false, retryAfter: null, Now, new Random(1)));
        Assert.Null(RetryDecision.AfterFailure(1, 4, policy: null, retryable: true, retryAfter: null, Now, new Random(1)));
    }

    [Fact]
    public void A_delay_the_remote_side_asked_for_replaces_the_back_off_but_not_the_attempt_limit()
    {
        Assert.Equal(Now.AddMinutes(30), RetryDecision.AfterFailure(1, 4, NoJitter, retryable: true, TimeSpan.FromMinutes(30), Now, new Random(1)));
        Assert.Null(RetryDecision.AfterFailure(4, 4, NoJitter, retryable: true, TimeSpan.FromMinutes(30), Now, new Random(1)));
    }

    [Fact]
    public void An_interrupted_attempt_counts_and_a_manual_retry_gets_the_jobs_attempts_at_least_one()
    {
        Assert.True(RetryDecision.RequeueAfterInterruption(1, 2));
        Assert.False(RetryDecision.RequeueAfterInterruption(2, 2));
        Assert.Equal(4, RetryDecision.AttemptsForManualRetry(NoJitter));
        Assert.Equal(1, RetryDecision.AttemptsForManualRetry(null));
    }
}

using Kairos.Tests.Support;
using Kairos.Webhooks;

namespace Kairos.Tests.Webhooks;

/// <summary>Token buckets by key: refill over time, and a bounded number of keys.</summary>
public sealed class TokenBucketsTests
{
    private static readonly WebhookRateLimit TwoPerMinute = new(2, TimeSpan.FromMinutes(1));

    [Fact]
    public void An_empty_bucket_says_when_the_next_token_comes_and_refills_by_then()
    {
        var clock = new ManualTimeProvider(TestEngine.DefaultStart);
        var buckets = new TokenBuckets(clock, capacity: 10);

        Assert.True(buckets.TryTake("a", TwoPerMinute, out _));
        Assert.True(buckets.TryTake("a", TwoPerMinute, out _));
        Assert.False(buckets.TryTake("a", TwoPerMinute, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(30), retryAfter);
        Assert.True(buckets.TryTake("b", TwoPerMinute, out _)); // Keys do not share tokens.

        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True(buckets.TryTake("a", TwoPerMinute, out _));
        Assert.False(buckets.TryTake("a", TwoPerMinute, out _));
    }

    [Fact]
    public void Beyond_its_capacity_the_least_recently_used_key_is_forgotten_and_starts_full_again()
    {
        var buckets = new TokenBuckets(new ManualTimeProvider(TestEngine.DefaultStart), capacity: 2);
        var oneForever = new WebhookRateLimit(1, TimeSpan.FromDays(365));
        Assert.True(buckets.TryTake("old", oneForever, out _));
        Assert.True(buckets.TryTake("recent", oneForever, out _));
        Assert.False(buckets.TryTake("old", oneForever, out _)); // "old" is now the most recently used.

        Assert.True(buckets.TryTake("new", oneForever, out _)); // Evicts "recent".

        Assert.False(buckets.TryTake("old", oneForever, out _));
        Assert.True(buckets.TryTake("recent", oneForever, out _));
    }

    [Fact]
    public void A_limit_finer_than_a_tick_per_token_neither_throws_nor_blocks()
    {
        var buckets = new TokenBuckets(new ManualTimeProvider(TestEngine.DefaultStart), capacity: 1);
        var limit = new WebhookRateLimit(1_000_000, TimeSpan.FromMilliseconds(1));

        Assert.All(Enumerable.Range(0, 1_000), i => Assert.True(buckets.TryTake("k", limit, out _)));
    }
}

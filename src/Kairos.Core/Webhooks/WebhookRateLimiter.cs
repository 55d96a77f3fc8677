using System.Collections.Concurrent;

namespace Kairos.Webhooks;

/// <summary>
/// A token bucket per hook: <c>Requests</c> tokens, refilled evenly over <c>Per</c>. Kept in memory
/// per node: a limit protects this node's resources, and a restart forgets it.
/// </summary>
internal sealed class WebhookRateLimiter(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>Takes a token; when none is left returns false and how long until one is.</summary>
    public bool TryTake(string hook, WebhookRateLimit limit, out TimeSpan retryAfter)
    {
        var bucket = _buckets.GetOrAdd(hook, _ => new Bucket(limit.Requests, time.GetUtcNow()));
        lock (bucket)
        {
            var now = time.GetUtcNow();
            var perToken = limit.Per / limit.Requests;
            var refill = (now - bucket.UpdatedAt) / perToken;
            bucket.Tokens = Math.Min(limit.Requests, bucket.Tokens + refill);
            bucket.UpdatedAt = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                retryAfter = TimeSpan.Zero;
                return true;
            }
            retryAfter = perToken * (1 - bucket.Tokens);
            return false;
        }
    }

    private sealed class Bucket(double tokens, DateTimeOffset updatedAt)
    {
        public double Tokens { get; set; } = tokens;
        public DateTimeOffset UpdatedAt { get; set; } = updatedAt;
    }
}

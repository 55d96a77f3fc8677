namespace Kairos.Webhooks;

/// <summary>
/// Token buckets by key: a bucket holds up to <c>Requests</c> tokens, refilled evenly over <c>Per</c>.
/// At most <c>capacity</c> keys are kept; a new key beyond that evicts the one used least recently,
/// so keys a caller can invent (source addresses) cannot grow memory without bound. An evicted key
/// starts again with a full bucket, as after a restart.
/// </summary>
internal sealed class TokenBuckets(TimeProvider time, int capacity)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<Bucket>> _buckets = new(StringComparer.Ordinal);
    private readonly LinkedList<Bucket> _byUse = new(); // Least recently used first.

    /// <summary>Takes a token; when none is left returns false and how long until one is.</summary>
    public bool TryTake(string key, WebhookRateLimit limit, out TimeSpan retryAfter)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var bucket = Touch(key, limit, now);
            // In seconds as doubles: a tiny Per / Requests must not divide by a zero TimeSpan.
            var secondsPerToken = limit.Per.TotalSeconds / limit.Requests;
            var refill = Math.Max(0, (now - bucket.UpdatedAt).TotalSeconds) / secondsPerToken;
            bucket.Tokens = Math.Min(limit.Requests, bucket.Tokens + refill);
            bucket.UpdatedAt = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                retryAfter = TimeSpan.Zero;
                return true;
            }
            retryAfter = TimeSpan.FromSeconds(secondsPerToken * (1 - bucket.Tokens));
            return false;
        }
    }

    /// <summary>The key's bucket, moved to the most recently used end; created full (evicting the least recently used) when new.</summary>
    private Bucket Touch(string key, WebhookRateLimit limit, DateTimeOffset now)
    {
        if (_buckets.TryGetValue(key, out var node))
        {
            _byUse.Remove(node);
            _byUse.AddLast(node);
            return node.Value;
        }
        if (_buckets.Count >= capacity)
        {
            _buckets.Remove(_byUse.First!.Value.Key);
            _byUse.RemoveFirst();
        }
        node = _byUse.AddLast(new Bucket(key, limit.Requests, now));
        _buckets[key] = node;
        return node.Value;
    }

    private sealed class Bucket(string key, double tokens, DateTimeOffset updatedAt)
    {
        public string Key { get; } = key;
        public double Tokens { get; set; } = tokens;
        public DateTimeOffset UpdatedAt { get; set; } = updatedAt;
    }
}

namespace Kairos.Webhooks;

/// <summary>
/// A hook's <c>rateLimit</c>, applied twice, kept in memory per node (a limit protects this node's
/// resources, and a restart forgets it):
/// <list type="bullet">
/// <item><b>Per source address, before verification</b>: each address gets the hook's limit to
/// itself, so a flood of forged requests from one address uses up only that address's tokens and
/// the real sender, elsewhere, is still heard. At most <see cref="MaxAddresses"/> addresses are
/// tracked, the least recently seen evicted first.</item>
/// <item><b>Per hook, after verification</b>: the limit over every verified delivery, the
/// configured promise ("at most N runs per period"), which only the secret's holder can use up.</item>
/// </list>
/// </summary>
internal sealed class WebhookRateLimiter(TimeProvider time)
{
    /// <summary>Enough for every sender of a busy node; each costs about 200 bytes.</summary>
    public const int MaxAddresses = 10_000;

    private readonly TokenBuckets _addresses = new(time, MaxAddresses);

    // Keyed by hook name, which only existing hooks reach: bounded by the number of hooks.
    private readonly TokenBuckets _hooks = new(time, int.MaxValue);

    public bool TryTakeForAddress(string hook, string address, WebhookRateLimit limit, out TimeSpan retryAfter) =>
        _addresses.TryTake($"{hook}\n{address}", limit, out retryAfter);

    public bool TryTakeForHook(string hook, WebhookRateLimit limit, out TimeSpan retryAfter) =>
        _hooks.TryTake(hook, limit, out retryAfter);
}

namespace Kairos.Webhooks;

/// <summary>
/// How large a webhook body may be. A hook's own limit can be lowered, never raised past 10 MiB:
/// the body is held in memory to check its signature, and a hook that accepts anything would let
/// any caller make the server allocate what it sends.
/// </summary>
internal static class WebhookLimits
{
    public const long MaxBodyBytes = 10 * 1024 * 1024;

    /// <summary>Null when <paramref name="bytes"/> is a valid maxBodyBytes, else what is wrong.</summary>
    public static string? BodySize(long bytes) =>
        bytes is >= 1 and <= MaxBodyBytes ? null : $"{bytes} is out of range 1–{MaxBodyBytes} (10 MiB)";
}

using Kairos.Configuration;

namespace Kairos.Model;

/// <summary>
/// "Not now but later" for a run or an event's runs: an instant (<c>at</c>) or a delay from now
/// (<c>in</c>), never both, at most 100 years ahead. A time already past means now.
/// </summary>
internal static class Later
{
    /// <summary>The instant meant, or null when neither is given; <see cref="KairosValidationException"/> when a value is not one.</summary>
    public static DateTimeOffset? Parse(string? at, string? @in, DateTimeOffset now)
    {
        if (at is not null && @in is not null)
        {
            throw new KairosValidationException("give either at (an instant) or in (a delay), not both");
        }
        if (@in is not null)
        {
            return Durations.TryParse(@in, out var delay) && delay <= Durations.Longest
                ? now + delay
                : throw new KairosValidationException($"in {InputText.Quote(@in)} is not a delay such as 10m or 2h");
        }
        if (at is null)
        {
            return null;
        }
        return Durations.TryParseInstant(at, out var instant) && instant <= now + Durations.Longest
            ? instant
            : throw new KairosValidationException($"at {InputText.Quote(at)} is not an instant such as 2027-01-31T09:00:00+01:00 (UTC when it has no offset)");
    }
}

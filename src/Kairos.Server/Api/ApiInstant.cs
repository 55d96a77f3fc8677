using Kairos.Configuration;
using Kairos.Model;

namespace Kairos.Server.Api;

/// <summary>
/// A query parameter that is an instant (<c>?from=2026-12-07T09:00:00Z</c>): read here rather than bound by
/// ASP.NET Core so that a bad value is a 400 naming the parameter and the form it takes.
/// </summary>
internal static class ApiInstant
{
    /// <summary>The instant (UTC when it has no offset), or null when the parameter is absent.</summary>
    public static DateTimeOffset? Parse(string? text, string parameter) =>
        text is null ? null
        : Durations.TryParseInstant(text, out var at) ? at
        : throw new KairosValidationException($"{parameter} {InputText.Quote(text)} is not an instant: write ISO 8601 such as 2026-12-07T09:00:00Z (UTC when it has no offset)");

    /// <summary>
    /// The start of a range given either as <c>from</c> (an instant) or as <c>since</c> (a duration back from
    /// <paramref name="now"/>, the database's clock, so a client's own clock does not shift it).
    /// </summary>
    public static DateTimeOffset? From(string? from, string? since, DateTimeOffset now)
    {
        if (since is null)
        {
            return Parse(from, "from");
        }
        if (from is not null)
        {
            throw new KairosValidationException("give since (a duration back from now) or from (an instant), not both");
        }
        return Durations.TryParse(since, out var back)
            ? now - back
            : throw new KairosValidationException($"since {InputText.Quote(since)} is not a duration up to 100 years, such as 1h or 2d");
    }
}

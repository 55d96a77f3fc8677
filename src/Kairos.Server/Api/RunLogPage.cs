using Kairos.Model;
using Kairos.Storage;

namespace Kairos.Server.Api;

/// <summary>
/// One page of <c>GET /api/runs/{id}/log?after=LINE&amp;limit=N</c>: a run may log without end, so a request
/// gets at most <see cref="MaxLimit"/> lines of at most <see cref="MaxLineChars"/> characters each, never the whole log.
/// </summary>
/// <param name="Lines">The lines after line <c>after</c>, numbered from 1.</param>
/// <param name="Next">The cursor for the next page (<c>after=Next</c>): the number of the last line given, or <c>after</c> when none was.
/// With <paramref name="More"/> false it is where a follower asks again for lines the run has logged since.</param>
/// <param name="More">Whether lines follow beyond this page already.</param>
internal sealed record RunLogPage(IReadOnlyList<RunLogPage.Line> Lines, long Next, bool More)
{
    public const int DefaultLimit = 1000;
    public const int MaxLimit = 5000;
    public const int MaxLineChars = 2000;

    /// <param name="Number">The line's number in the run's log, from 1.</param>
    public sealed record Line(long Number, DateTimeOffset At, string Stream, string Text);

    /// <summary>The window a page reads: one line more than asked, to tell whether more follow.</summary>
    public static RunLogQuery Window(long after, int limit) => new() { Skip = (int)Math.Min(after, int.MaxValue), Limit = limit + 1, MaxLineChars = MaxLineChars };

    public static RunLogPage From(IReadOnlyList<RunLogLine> read, long after, int limit)
    {
        var lines = read.Take(limit).Select((l, i) => new Line(after + i + 1, l.At, l.Stream, l.Text)).ToList();
        return new RunLogPage(lines, after + lines.Count, read.Count > limit);
    }

    /// <summary>The <c>after</c> cursor: absent is 0 (from the first line); a negative one is a 400.</summary>
    public static long After(long? after) =>
        after is null or >= 0 ? after ?? 0 : throw new KairosValidationException($"after {after} is not a line number: give 0 or more (the next cursor of the previous page)");
}

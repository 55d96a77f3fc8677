using Kairos.Engine.Services;
using Microsoft.Extensions.Logging;

namespace Kairos.Engine;

/// <summary>
/// Gives memory back to the operating system once the node goes quiet. After a burst (a backlog
/// drained, a large apply) the garbage collector keeps the memory it grew into committed, though
/// almost none of it holds live objects: measured at 50–110 MB for a 2 MB live heap. When a whole
/// <see cref="Check"/> passed with no run taken or held, and the GC has grown more than
/// <see cref="Slack"/> past what it kept after the last such collection, one aggressive collection
/// returns what it can. Measuring growth from that floor (rather than against the last collection's
/// heap size, which may be old) lets a quiet node with a large live heap collect once, not every pass.
/// A collection is blocking and costs in proportion to the live heap, so only processes Kairos owns
/// turn this on (<c>kairos serve</c>): inside an application it would pause the host's own heap.
/// </summary>
internal sealed class IdleMemory(Func<long> runsTaken, Func<int> runsHeld, TimeProvider time, ILogger logger, IdleMemory.Gc? gc = null)
    : EngineLoop("Idle memory", time, logger)
{
    public static readonly TimeSpan Check = TimeSpan.FromSeconds(5);

    public const long Slack = 32L * 1024 * 1024;

    /// <summary>The garbage collector as this loop sees it: what it keeps committed, and the collection that gives memory back.</summary>
    internal sealed record Gc(Func<long> Committed, Action Collect);

    private static readonly Gc Runtime = new(
        () => GC.GetGCMemoryInfo().TotalCommittedBytes,
        () => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true));

    private readonly Gc _gc = gc ?? Runtime;
    private long _takenAtLastPass = -1;
    private long _committedAfterRelease;

    protected override ValueTask<DateTimeOffset?> RunPassAsync(CancellationToken stopping)
    {
        Pass();
        return ValueTask.FromResult<DateTimeOffset?>(Time.GetUtcNow() + Check);
    }

    /// <summary>One look: collects when quiet since the last look and grown past the floor. Returns whether it collected.</summary>
    internal bool Pass()
    {
        var taken = runsTaken();
        var quiet = taken == _takenAtLastPass && runsHeld() == 0;
        _takenAtLastPass = taken;
        var before = _gc.Committed();
        if (!quiet || before - _committedAfterRelease <= Slack)
        {
            return false;
        }
        _gc.Collect();
        _committedAfterRelease = _gc.Committed();
        Logger.LogDebug("Idle: the GC gave back {Megabytes} MB", (before - _committedAfterRelease) / (1024 * 1024));
        return true;
    }
}

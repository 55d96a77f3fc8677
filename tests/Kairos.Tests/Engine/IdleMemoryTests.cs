using Kairos.Engine;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kairos.Tests.Engine;

/// <summary>
/// When the node gives memory back: only after a whole check with no run taken or held, only when
/// the GC grew past the slack since the last collection, and once per such growth. The GC is seen
/// through a stand-in here, so the decision is tested apart from the process's real heap (which
/// other tests share); `kairos bench idle` measures the real effect.
/// </summary>
public sealed class IdleMemoryTests
{
    private const long Mb = 1024 * 1024;

    private long _taken;
    private int _held;
    private long _committed = 120 * Mb;
    private int _collections;

    private IdleMemory Loop() => new(() => _taken, () => _held, TimeProvider.System, NullLogger.Instance,
        new IdleMemory.Gc(() => _committed, () => { _collections++; _committed = 2 * Mb; }));

    [Fact]
    public void A_node_quiet_for_a_whole_check_gives_back_what_the_gc_kept_and_only_once()
    {
        var loop = Loop();

        Assert.False(loop.Pass()); // The first look only notes where the node stands.
        Assert.True(loop.Pass());
        Assert.Equal((1, 2 * Mb), (_collections, _committed));

        _committed += IdleMemory.Slack; // Grown, but not past the slack: nothing to give back yet.
        Assert.False(loop.Pass());
        _committed += 1;
        Assert.True(loop.Pass());
        Assert.Equal(2, _collections);
    }

    [Fact]
    public void A_node_that_took_or_holds_a_run_since_the_last_look_keeps_its_memory()
    {
        var loop = Loop();
        loop.Pass();

        _taken++;
        Assert.False(loop.Pass()); // A run was taken since the last look.
        _held = 1;
        Assert.False(loop.Pass()); // A run is still held, though none was taken.
        _held = 0;
        Assert.True(loop.Pass());
        Assert.Equal(1, _collections);
    }
}

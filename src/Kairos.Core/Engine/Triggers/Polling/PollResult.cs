using System.Text.Json.Nodes;

namespace Kairos.Polling;

/// <summary>What a poll decided: nothing (<see cref="Skip"/>) or one run per <see cref="Fires"/> item.</summary>
public sealed class PollResult
{
    private PollResult(IReadOnlyList<PollFire> fires) => Fires = fires;

    /// <summary>Nothing to do this time.</summary>
    public static PollResult Skip { get; } = new([]);

    /// <summary>The runs to enqueue, in order. Empty for <see cref="Skip"/>.</summary>
    public IReadOnlyList<PollFire> Fires { get; }

    /// <summary>Enqueue one run; <paramref name="context"/> becomes <c>payload.context</c>.</summary>
    public static PollResult Fire(JsonNode? context) => new([new PollFire(context)]);

    /// <summary>
    /// Enqueue one run per item, in order, each in its own transaction with the state it carries
    /// (see <see cref="PollFire.State"/>), so progress such as a watermark is stored exactly as far as
    /// the runs enqueued.
    /// </summary>
    public static PollResult FireEach(IEnumerable<PollFire> fires)
    {
        ArgumentNullException.ThrowIfNull(fires);
        var list = fires.ToList();
        return list.Count == 0 ? Skip : new PollResult(list);
    }
}

/// <summary>
/// One run a poll fires. <see cref="State"/>: the trigger state to store with this run (e.g. the
/// watermark of this row); null stores <see cref="PollContext.State"/> as the poll left it.
/// </summary>
public sealed record PollFire(JsonNode? Context)
{
    public string? State { get; init; }
}

namespace Kairos.Client;

/// <summary>
/// What the runs did over a recent window, for an overview: runs that finished in each minute by
/// outcome, and the queue and running runs now. Read from the newest runs backwards, so a run
/// counts when it was created within the window (a run created earlier and finished within it, such
/// as a retry queued long ago, is left out); <see cref="Partial"/> says the scan stopped at its bound.
/// </summary>
/// <param name="From">The start of the first minute.</param>
/// <param name="To">Now, on the engine's clock.</param>
/// <param name="Minutes">One entry per minute from <paramref name="From"/>, oldest first, every minute present.</param>
/// <param name="QueuedByQueue">Queued runs now, by queue name.</param>
/// <param name="Running">Runs running now.</param>
/// <param name="Partial">More runs were created in the window than one scan reads (<see cref="MaxRunsRead"/>): the older minutes count only some of them.</param>
public sealed record RunActivity(
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<RunActivityMinute> Minutes,
    IReadOnlyDictionary<string, int> QueuedByQueue,
    int Running,
    bool Partial)
{
    /// <summary>The most runs one <see cref="IKairosClient.GetRunActivityAsync"/> reads, for the minutes and for the queue each.</summary>
    public const int MaxRunsRead = 20_000;

    public int Succeeded => Minutes.Sum(m => m.Succeeded);
    public int Dead => Minutes.Sum(m => m.Dead);
    public int Cancelled => Minutes.Sum(m => m.Cancelled);

    /// <summary>Dead runs among those that succeeded or died in the window (0–1); null when none did.</summary>
    public double? FailureRate => Succeeded + Dead == 0 ? null : (double)Dead / (Succeeded + Dead);
}

/// <summary>Runs that finished in one minute, by outcome (a skipped run counts as cancelled).</summary>
public sealed record RunActivityMinute(DateTimeOffset Start, int Succeeded, int Dead, int Cancelled)
{
    public int Total => Succeeded + Dead + Cancelled;
}

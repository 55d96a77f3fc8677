using System.Collections.Concurrent;
using System.Diagnostics;
using Kairos.Model;

namespace Kairos.Observability;

/// <summary>
/// What a run's span links to, where this process knows it: the activity that enqueued it (a webhook
/// request, an API call, a publish) and, for a run chained to another, the span of its parent run's
/// last attempt here. Kept in memory only, so a run claimed by another node or after a restart has
/// no link; nothing is kept while nobody listens to <see cref="KairosActivities.Source"/>. Each map
/// holds at most <see cref="Capacity"/> runs, the oldest forgotten first.
/// </summary>
internal sealed class RunTraceLinks
{
    private const int Capacity = 10_000;

    private readonly BoundedMap _firedBy = new();
    private readonly BoundedMap _spans = new();

    /// <summary>Remembers the current activity as what fired these runs (called after they were stored).</summary>
    public void FiredByCurrent(IReadOnlyList<EnqueueResult> runs)
    {
        if (Activity.Current is not { } current || !KairosActivities.Source.HasListeners())
        {
            return;
        }
        foreach (var run in runs)
        {
            _firedBy.Set(run.RunId, current.Context);
        }
    }

    /// <summary>Remembers the current activity as what fired this run (called after it was stored).</summary>
    public void FiredByCurrent(long runId)
    {
        if (Activity.Current is { } current && KairosActivities.Source.HasListeners())
        {
            _firedBy.Set(runId, current.Context);
        }
    }

    /// <summary>Remembers a finished attempt's span, for the runs chained to it.</summary>
    public void Ran(long runId, ActivityContext span) => _spans.Set(runId, span);

    /// <summary>The links of a run's span: what fired it and its parent run's span, those known.</summary>
    public List<ActivityLink>? For(RunRecord run)
    {
        List<ActivityLink>? links = null;
        if (_firedBy.TryGet(run.Id, out var firedBy))
        {
            (links ??= []).Add(new ActivityLink(firedBy));
        }
        if (run.ParentRunId is { } parent && _spans.TryGet(parent, out var parentSpan))
        {
            (links ??= []).Add(new ActivityLink(parentSpan));
        }
        return links;
    }

    private sealed class BoundedMap
    {
        private readonly ConcurrentDictionary<long, ActivityContext> _byRun = new();
        private readonly ConcurrentQueue<long> _order = new();

        public void Set(long runId, ActivityContext context)
        {
            if (_byRun.TryAdd(runId, context))
            {
                _order.Enqueue(runId);
                while (_order.Count > Capacity && _order.TryDequeue(out var oldest))
                {
                    _byRun.TryRemove(oldest, out _);
                }
            }
            else
            {
                _byRun[runId] = context; // A later attempt of the same run.
            }
        }

        public bool TryGet(long runId, out ActivityContext context) => _byRun.TryGetValue(runId, out context);
    }
}

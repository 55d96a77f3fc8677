namespace Kairos.Model;

/// <summary>
/// The graph of completion triggers (an edge A → B when B runs after A). A cycle would run forever,
/// so one is allowed only when one of its edges sets a maximum depth.
/// </summary>
internal static class CompletionGraph
{
    /// <summary>The jobs of an unbounded cycle in order (first repeated at the end), or null when there is none.</summary>
    public static IReadOnlyList<string>? FindUnboundedCycle(IEnumerable<JobDefinition> jobs)
    {
        var edges = jobs
            .SelectMany(job => job.Triggers.OfType<CompletionTriggerSpec>()
                .Where(t => t.MaxDepth is null)
                .Select(t => (From: t.Job, To: job.Name)))
            .GroupBy(e => e.From, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.To).Distinct(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: on the current path; true: done.
        var path = new List<string>();
        foreach (var start in edges.Keys.Order(StringComparer.Ordinal))
        {
            if (Visit(start, edges, state, path) is { } cycle)
            {
                return cycle;
            }
        }
        return null;
    }

    private static List<string>? Visit(string node, Dictionary<string, List<string>> edges, Dictionary<string, bool> state, List<string> path)
    {
        if (state.TryGetValue(node, out var done))
        {
            return done ? null : [.. path.Skip(path.IndexOf(node)), node];
        }
        state[node] = false;
        path.Add(node);
        foreach (var next in edges.GetValueOrDefault(node) ?? [])
        {
            if (Visit(next, edges, state, path) is { } cycle)
            {
                return cycle;
            }
        }
        path.RemoveAt(path.Count - 1);
        state[node] = true;
        return null;
    }

    public static string Describe(IReadOnlyList<string> cycle) =>
        $"completion triggers form a cycle {string.Join(" → ", cycle)} with no maxDepth; set maxDepth on one of them to bound the chain";
}

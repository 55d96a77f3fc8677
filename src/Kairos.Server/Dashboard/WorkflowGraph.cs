using Kairos.Model;
using Kairos.Workflows;

namespace Kairos.Server.Dashboard;

/// <summary>
/// A workflow's steps laid out for drawing, top to bottom: a step sits one row below the lowest of
/// the steps it needs (steps without needs on the first row), and each row keeps the definition's
/// order, centred on the widest row. An arrow goes from each need to the step that needs it. With a
/// run, each step carries its state (its box is coloured by it); without, "definition".
/// </summary>
public sealed class WorkflowGraph
{
    public const int BoxWidth = 176;
    public const int BoxHeight = 58;
    private const int GapX = 28;
    private const int GapY = 44;
    private const int Margin = 8;

    private WorkflowGraph(IReadOnlyList<WorkflowGraphNode> nodes, IReadOnlyList<WorkflowGraphEdge> edges, int width, int height)
    {
        Nodes = nodes;
        Edges = edges;
        Width = width;
        Height = height;
    }

    public IReadOnlyList<WorkflowGraphNode> Nodes { get; }
    public IReadOnlyList<WorkflowGraphEdge> Edges { get; }
    public int Width { get; }
    public int Height { get; }

    /// <param name="states">Each step's state by id (a run's); null: the definition alone.</param>
    public static WorkflowGraph Of(WorkflowExecutorSpec workflow, IReadOnlyDictionary<string, string>? states = null)
    {
        var row = new Dictionary<string, int>(StringComparer.Ordinal);
        // Needs name earlier or later steps: repeat until every row is settled (a valid workflow has no cycle; the bound stops a bad one).
        for (var pass = 0; pass <= workflow.Steps.Count; pass++)
        {
            var changed = false;
            foreach (var step in workflow.Steps)
            {
                var r = step.Needs.Select(n => row.GetValueOrDefault(n, 0) + 1).DefaultIfEmpty(0).Max();
                changed |= !row.TryGetValue(step.Id, out var old) || old != r;
                row[step.Id] = r;
            }
            if (!changed)
            {
                break;
            }
        }
        var rows = workflow.Steps.GroupBy(s => row[s.Id]).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();
        var widest = rows.Count == 0 ? 0 : rows.Max(r => r.Count);
        var width = Margin * 2 + widest * BoxWidth + Math.Max(0, widest - 1) * GapX;
        var nodes = new List<WorkflowGraphNode>();
        for (var r = 0; r < rows.Count; r++)
        {
            var rowWidth = rows[r].Count * BoxWidth + (rows[r].Count - 1) * GapX;
            var left = (width - rowWidth) / 2;
            for (var i = 0; i < rows[r].Count; i++)
            {
                var step = rows[r][i];
                nodes.Add(new WorkflowGraphNode(step.Id, WorkflowDiagram.What(step), Condition(step), states?.GetValueOrDefault(step.Id) ?? (states is null ? "definition" : "pending"),
                    left + i * (BoxWidth + GapX), Margin + r * (BoxHeight + GapY)));
            }
        }
        var byId = nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var edges = workflow.Steps.SelectMany(s => s.Needs.Where(byId.ContainsKey).Select(n => new WorkflowGraphEdge(byId[n], byId[s.Id]))).ToList();
        return new WorkflowGraph(nodes, edges, width, Margin * 2 + rows.Count * BoxHeight + Math.Max(0, rows.Count - 1) * GapY);
    }

    /// <summary>When the step runs, if not simply after its needs succeeded: its condition and its run-if.</summary>
    private static string? Condition(WorkflowStep step)
    {
        var parts = new List<string>();
        if (step.RunIf != StepRunIf.Success)
        {
            parts.Add(step.RunIf == StepRunIf.Always ? "always" : "on failure");
        }
        if (step.When is { } when)
        {
            parts.Add("when " + Kairos.Workflows.StepCondition.Display(when));
        }
        return parts.Count == 0 ? null : string.Join(", ", parts);
    }
}

/// <summary>A step's box: its id, what it runs, when it runs (null: after its needs succeeded), its state, and its top-left corner.</summary>
public sealed record WorkflowGraphNode(string Id, string What, string? When, string State, int X, int Y)
{
    public int CenterX => X + WorkflowGraph.BoxWidth / 2;
    public int Bottom => Y + WorkflowGraph.BoxHeight;

    /// <summary><paramref name="text"/> cut to what fits a box's width, with an ellipsis (the whole text is the box's tooltip).</summary>
    public static string Fit(string text, int max = 24) => text.Length <= max ? text : text[..(max - 1)] + "…";
}

/// <summary>An arrow from a need to the step that needs it.</summary>
public sealed record WorkflowGraphEdge(WorkflowGraphNode From, WorkflowGraphNode To)
{
    /// <summary>An SVG path: down from the need's bottom, curving into the step's top.</summary>
    public string Path
    {
        get
        {
            var (x1, y1, x2, y2) = (From.CenterX, From.Bottom, To.CenterX, To.Y - 2);
            var middle = (y1 + y2) / 2;
            return FormattableString.Invariant($"M{x1},{y1} C{x1},{middle} {x2},{middle} {x2},{y2}");
        }
    }
}

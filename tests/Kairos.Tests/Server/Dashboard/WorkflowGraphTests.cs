using Kairos.Model;
using Kairos.Server.Dashboard;

namespace Kairos.Tests.Server.Dashboard;

/// <summary>How a workflow is laid out for drawing: rows by needs, definition order within a row, no overlap.</summary>
public sealed class WorkflowGraphTests
{
    private static WorkflowStep Step(string id, params string[] needs) => new(id) { Needs = needs, Job = "x" };

    [Fact]
    public void A_step_sits_one_row_below_the_lowest_step_it_needs_and_a_row_keeps_the_definitions_order()
    {
        // "late" needs "join", written after it: rows do not depend on the order steps are written.
        var graph = WorkflowGraph.Of(new WorkflowExecutorSpec([Step("start"), Step("left", "start"), Step("late", "join"), Step("right", "start"), Step("join", "left", "right")]));

        var at = graph.Nodes.ToDictionary(n => n.Id);
        Assert.True(at["start"].Y < at["left"].Y && at["left"].Y == at["right"].Y && at["right"].Y < at["join"].Y && at["join"].Y < at["late"].Y);
        Assert.True(at["left"].X + WorkflowGraph.BoxWidth <= at["right"].X);
        Assert.Equal(at["start"].CenterX, at["join"].CenterX); // Alone in their rows, centred.
        Assert.Equal(5, graph.Edges.Count);
        Assert.All(graph.Nodes, n => Assert.InRange(n.X + WorkflowGraph.BoxWidth, 0, graph.Width));
        Assert.All(graph.Nodes, n => Assert.InRange(n.Bottom, 0, graph.Height));
        Assert.All(graph.Nodes, n => Assert.Equal("definition", n.State));
    }

    [Fact]
    public void A_runs_steps_carry_their_states_and_a_step_without_one_yet_is_pending()
    {
        var graph = WorkflowGraph.Of(new WorkflowExecutorSpec([Step("a"), Step("b", "a")]), new Dictionary<string, string> { ["a"] = "failed" });

        Assert.Equal([("a", "failed"), ("b", "pending")], graph.Nodes.Select(n => (n.Id, n.State)));
    }
}

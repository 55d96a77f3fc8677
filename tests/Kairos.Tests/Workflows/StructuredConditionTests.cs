using System.Text.Json;
using Kairos.Configuration;
using Kairos.Model;
using Kairos.Workflows;

namespace Kairos.Tests.Workflows;

/// <summary>
/// A condition's structured form (all / any / not / left-op-right) means what its text form means, is
/// checked when saved with the field at fault, and is kept in the form it was written.
/// </summary>
public sealed class StructuredConditionTests
{
    private const string Context = """
        {"input": {"country": "FR", "email": "ann@example.com", "n": 2, "quantity": 3},
         "steps": {"a": {"state": "succeeded", "output": {"n": 4, "tags": ["red", "blue"]}}}}
        """;

    private static IReadOnlyList<string> Errors(string when) => JobRules.Validate(new JobDefinition
    {
        Name = "flow",
        Executor = new WorkflowExecutorSpec([
            new WorkflowStep("a") { Run = new HandlerExecutorSpec("ok") },
            new WorkflowStep("b") { Run = new HandlerExecutorSpec("ok"), Needs = ["a"], When = when },
        ]),
    });

    [Theory]
    [InlineData("steps.a.output.n >= input.quantity", """{"left": "{{steps.a.output.n}}", "op": "gte", "right": "{{input.quantity}}"}""")]
    [InlineData("steps.a.output.n < 3", """{"left": "{{ steps.a.output.n }}", "op": "lt", "right": 3}""")]
    [InlineData("steps.a.output.tags contains 'red'", """{"left": "{{steps.a.output.tags}}", "op": "contains", "right": "red"}""")]
    [InlineData("input.country in ['US', 'CA']", """{"left": "{{input.country}}", "op": "in", "right": ["US", "CA"]}""")]
    [InlineData("input.email matches '^[a-z]+@example\\.com$'", """{"left": "{{input.email}}", "op": "matches", "right": "^[a-z]+@example\\.com$"}""")]
    [InlineData("steps.a.output.missing exists", """{"left": "{{steps.a.output.missing}}", "op": "exists"}""")]
    [InlineData("not steps.a.output.missing exists and (input.n == 2 or input.n == 3)",
        """{"all": [{"not": {"left": "{{steps.a.output.missing}}", "op": "exists"}}, {"any": ["input.n == 2", {"left": "{{input.n}}", "op": "eq", "right": 3}]}]}""")]
    [InlineData("steps.a.state == 'succeeded' and input.country != 'US'", """{"all": ["steps.a.state == 'succeeded'", "input.country != 'US'"]}""")]
    public void The_structured_form_holds_exactly_when_the_text_form_does(string text, string structured)
    {
        using var context = JsonDocument.Parse(Context);
        var expected = StepCondition.Parse(text).Evaluate(context.RootElement);
        Assert.Equal(expected, StepCondition.Parse(structured).Evaluate(context.RootElement));
        // And the negation, so a condition that is always true or always false cannot pass.
        Assert.Equal(!expected, StepCondition.Parse($$"""{"not": {{structured}}}""").Evaluate(context.RootElement));
    }

    [Theory]
    [InlineData("""{"left": "{{steps.a.output.n}}", "op": "gtx", "right": 3}""", "workflow.steps[1].when.op: 'gtx' is not an operator: one of eq ne gt gte lt lte in contains matches exists")]
    [InlineData("""{"all": [{"left": "{{steps.a.output.n}}", "op": "gt"}]}""", "workflow.steps[1].when.all[0].right: 'gt' needs a right operand")]
    [InlineData("""{"op": "eq", "right": 1}""", "workflow.steps[1].when.left: a comparison needs a left operand")]
    [InlineData("""{"any": [{"left": "{{steps.ghost.output}}", "op": "exists"}]}""", "workflow.steps[1].when.any[0].left: 'steps.ghost.output' reads step 'ghost'")]
    [InlineData("""{"left": "text", "op": "gt", "right": 3}""", "workflow.steps[1].when: '\"text\" > 3' compares values of different kinds")]
    [InlineData("""{"left": "{{input.x}}", "op": "in", "right": "US"}""", "workflow.steps[1].when: 'in' looks in a list, and \"US\" is not one")]
    [InlineData("""{"left": "{{input.x}}", "op": "matches", "right": "("}""", "workflow.steps[1].when: '(' is not a regular expression")]
    [InlineData("""{"left": "order-{{input.id}}", "op": "eq", "right": 1}""", "workflow.steps[1].when.left: a template is a whole operand")]
    [InlineData("""{"all": []}""", "workflow.steps[1].when.all: a list of at least one condition")]
    [InlineData("""{"not": "input.n >"}""", "workflow.steps[1].when.not: at 10: a value or path is missing")]
    [InlineData("""{"all": ["input.n > 1"], "any": ["input.n > 1"]}""", "workflow.steps[1].when: a condition object has one of all, any, not several")]
    [InlineData("""{"not": {"left": "{{input.n}}", "op": "eq", "right": 1, "rigth": 2}}""", "workflow.steps[1].when.not.rigth: 'rigth' is not a key of a comparison")]
    public void A_bad_structured_condition_names_the_field_at_fault(string when, string expected) =>
        Assert.Contains(Errors(when), e => e.StartsWith(expected, StringComparison.Ordinal));

    /// <summary>A file whose step <c>charge</c> (line 8) needs <c>check</c> and has <paramref name="when"/>, from line 10.</summary>
    private static KairosConfig LoadWithCondition(string when) => YamlConfigLoader.Load($"""
        jobs:
          order:
            workflow:
              steps:
                - id: check
                  handler: ok
                - id: charge
                  needs: [check]
                  handler: ok
                  when:
        {string.Join("\n", when.Split('\n').Select(line => "            " + line))}
        """, "kairos.yaml");

    [Fact]
    public void Yaml_takes_the_structured_form_and_places_an_error_on_the_line_of_the_key_at_fault()
    {
        var good = LoadWithCondition("""
            all:
              - { left: "{{steps.check.output.available}}", op: gte, right: "{{input.quantity}}" }
              - not: "input.country in ['US', 'CA']"
            """);
        var spec = Assert.IsType<WorkflowExecutorSpec>(Assert.Single(good.Jobs).Executor);
        Assert.Equal(
            WorkflowConditions.All(WorkflowConditions.Compare("{{steps.check.output.available}}", "gte", "{{input.quantity}}"), WorkflowConditions.Not("input.country in ['US', 'CA']")),
            spec.Steps[1].When);
        Assert.Equal("steps.check.output.available >= input.quantity and not input.country in ['US', 'CA']", StepCondition.Display(spec.Steps[1].When!));

        var bad = Assert.Throws<KairosConfigException>(() => LoadWithCondition("""
            any:
              - "input.n > 1"
              - left: "{{steps.check.output.n}}"
                op: greater
                right: 2
            """));
        var error = Assert.Single(bad.Errors);
        Assert.Equal(14, error.Line); // op: greater
        Assert.Contains("workflow.steps[1].when.any[1].op: 'greater' is not an operator", error.Message);
    }

    [Fact]
    public void A_wait_match_may_be_structured_and_reads_the_event()
    {
        var match = StepCondition.Parse("""{"left": "{{event.data.orderId}}", "op": "eq", "right": "{{input.id}}"}""", readsEvent: true);
        using var context = JsonDocument.Parse("""{"input": {"id": 7}, "event": {"data": {"orderId": 7}}}""");
        Assert.True(match.Evaluate(context.RootElement));
        Assert.Equal(["event.data.orderId", "input.id"], match.Paths.Select(p => p.Path));
    }
}

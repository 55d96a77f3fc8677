using System.Text.Json;
using Kairos.Configuration;
using Kairos.Model;
using Kairos.Workflows;

namespace Kairos.Tests.Workflows;

/// <summary>A workflow definition is checked when it is saved: graph errors, conditions and templates, with the field (API) or the line (YAML).</summary>
public sealed class WorkflowDefinitionTests
{
    private static IReadOnlyList<string> Errors(params WorkflowStep[] steps) =>
        JobRules.Validate(new JobDefinition { Name = "flow", Executor = new WorkflowExecutorSpec(steps) });

    private static WorkflowStep Step(string id, params string[] needs) => new(id) { Run = new HandlerExecutorSpec("ok"), Needs = needs };

    [Fact]
    public void A_sound_graph_has_no_errors() =>
        Assert.Empty(Errors(Step("a"), Step("b", "a") with { When = "steps.a.output.n > 2 and input.go == true" }, Step("c", "a", "b") with { Input = """{"x": "{{steps.b.output}}"}""" }));

    [Fact]
    public void Unknown_needs_cycles_and_duplicate_ids_are_named()
    {
        Assert.Contains("workflow.steps[1].needs: there is no step 'ghost'", Errors(Step("a"), Step("b", "ghost")));
        Assert.Contains("workflow.steps: the needs form a cycle: a → c → b → a", Errors(Step("a", "c"), Step("b", "a"), Step("c", "b")));
        Assert.Contains("workflow.steps[1].id: step 'a' is declared twice", Errors(Step("a"), Step("a")));
        Assert.Contains("workflow.steps[0].needs: step 'a' cannot need itself", Errors(Step("a", "a")));
    }

    [Fact]
    public void A_template_or_condition_may_only_read_steps_that_have_surely_ended()
    {
        var errors = Errors(Step("a"), Step("b") with { When = "steps.a.output.ok == true" }, Step("c", "b") with { Input = """{"x": "{{steps.a.output}}"}""" });
        Assert.Contains(errors, e => e.StartsWith("workflow.steps[1].when: 'steps.a.output.ok' reads step 'a', which 'b' does not need", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("workflow.steps[2].input: 'steps.a.output' reads step 'a', which 'c' does not need", StringComparison.Ordinal));
        Assert.Contains(Errors(Step("a") with { Input = """{"x": "{{payload.x}}"}""" }), e => e.Contains("templates start with input or steps.ID", StringComparison.Ordinal));
        Assert.Contains("workflow.steps[0].input: '{{item}}' is only known in the input of a forEach step", Errors(Step("a") with { Input = """{"x": "{{item}}"}""" }));
        Assert.Empty(Errors(Step("a"), Step("b", "a") with { ForEach = "{{steps.a.output.list}}", MaxParallel = 3, Input = """{"x": "{{item}}", "i": "{{index}}"}""" }));
        Assert.Contains(Errors(Step("b") with { ForEach = "{{steps.a.output.list}}" }), e => e.StartsWith("workflow.steps[0].forEach: 'steps.a.output.list' reads step 'a'", StringComparison.Ordinal));
        Assert.Contains("workflow.steps[0].maxParallel: 1 to 1000, on a forEach step only", Errors(Step("a") with { MaxParallel = 2 }));
    }

    [Fact]
    public void A_step_runs_exactly_one_thing_and_commands_in_steps_need_an_admin()
    {
        Assert.Contains(Errors(new WorkflowStep("a")), e => e.StartsWith("workflow.steps[0]: give exactly one of job", StringComparison.Ordinal));
        Assert.Contains(Errors(new WorkflowStep("a") { Job = "flow" }), e => e.Contains("a workflow cannot run itself as a step", StringComparison.Ordinal));
        Assert.Contains(Errors(new WorkflowStep("a") { Job = "other/job" }), e => e.Contains("namespace", StringComparison.Ordinal));
        var job = new JobDefinition { Name = "flow", Executor = new WorkflowExecutorSpec([new WorkflowStep("a") { Run = new CommandExecutorSpec(["rm", "-rf", "/"]) }]) };
        var caller = new Kairos.Access.KairosCaller("writer", Kairos.Access.KairosScope.Write, CommandsAllowed: true);
        var refused = Assert.Throws<KairosForbiddenException>(() => Kairos.Access.Authorization.RequireMayDeclare(caller, job));
        Assert.Contains("runs a command in a workflow step", refused.Message);
    }

    [Theory]
    [InlineData("""{"kind": "workflow", "steps": null}""", "workflow.steps: a workflow has 1 to 200 steps, not 0")]
    [InlineData("""{"kind": "workflow", "steps": [null]}""", "workflow.steps[0]: a step cannot be null")]
    [InlineData("""{"kind": "workflow", "steps": [{"id": "a", "run": {"kind": "handler", "handler": "ok"}, "needs": null}]}""", "workflow.steps[0].needs: a list of step ids, without nulls")]
    [InlineData("""{"kind": "workflow", "steps": [{"id": "a", "run": {"kind": "handler", "handler": "ok"}, "needs": [null]}]}""", "workflow.steps[0].needs: a list of step ids, without nulls")]
    [InlineData("""{"kind": "workflow", "steps": [{"id": null, "run": {"kind": "handler", "handler": "ok"}}]}""", "workflow.steps[0].id: ")]
    public void Nulls_sent_as_json_are_named_errors_not_crashes(string executor, string expected)
    {
        var spec = JsonSerializer.Deserialize<ExecutorSpec>(executor, KairosJson.Options)!;
        Assert.Contains(JobRules.Validate(new JobDefinition { Name = "flow", Executor = spec }), e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("steps.a.output.n >= 3", true)]
    [InlineData("steps.a.output.n gt 3", true)]
    [InlineData("steps.a.output.n < 3", false)]
    [InlineData("steps.a.output.tags contains 'red'", true)]
    [InlineData("input.country in ['FR', 'DE']", true)]
    [InlineData("input.country in ['US']", false)]
    [InlineData("input.email matches '^[a-z]+@example\\.com$'", true)]
    [InlineData("steps.a.output.missing exists", false)]
    [InlineData("not steps.a.output.missing exists and (input.n == 2 or input.n == 3)", true)]
    [InlineData("steps.a.output.n > 'text'", false)]
    [InlineData("steps.a.state == 'succeeded'", true)]
    public void Conditions_compare_paths_and_literals(string condition, bool expected)
    {
        using var context = JsonDocument.Parse("""
            {"input": {"country": "FR", "email": "ann@example.com", "n": 2},
             "steps": {"a": {"state": "succeeded", "output": {"n": 4, "tags": ["red", "blue"]}}}}
            """);
        Assert.Equal(expected, StepCondition.Parse(condition).Evaluate(context.RootElement));
    }

    [Theory]
    [InlineData("", "the condition is empty")]
    [InlineData("input.n >", "a value or path is missing")]
    [InlineData("input.n 3", "expected an operator")]
    [InlineData("(input.n == 3", "a ')' is missing")]
    [InlineData("3 > 'x'", "compares values of different kinds")]
    [InlineData("input.name matches '('", "is not a regular expression")]
    [InlineData("System.IO.File == 1", "is not a path")]
    public void A_bad_condition_says_what_and_where(string condition, string expected) =>
        Assert.Contains(expected, Assert.Throws<ConditionException>(() => StepCondition.Parse(condition)).Message);

    [Fact]
    public void Yaml_workflows_load_and_their_errors_carry_the_line_of_the_field_at_fault()
    {
        var good = YamlConfigLoader.Load("""
            jobs:
              order:
                workflow:
                  onFailure: compensate
                  output: { total: "{{steps.charge.output.total}}" }
                  steps:
                    - id: check
                      handler: ok
                      input: { sku: "{{input.sku}}" }
                    - id: charge
                      needs: check
                      when: steps.check.output.ok == true
                      http: { method: POST, url: "https://pay.example/charge" }
                      retry: { maxAttempts: 5 }
                      compensate:
                        http: { method: POST, url: "https://pay.example/refund" }
                    - id: pause
                      needs: [charge]
                      sleep: 10m
            """, "kairos.yaml");
        var spec = Assert.IsType<WorkflowExecutorSpec>(Assert.Single(good.Jobs).Executor);
        Assert.Equal(WorkflowFailure.Compensate, spec.OnFailure);
        Assert.Equal(["check"], spec.Steps[1].Needs);
        Assert.Equal(5, spec.Steps[1].Retry!.MaxAttempts);
        Assert.Equal(TimeSpan.FromMinutes(10), spec.Steps[2].Sleep);
        Assert.Equal("""{"sku":"{{input.sku}}"}""", spec.Steps[0].Input);

        var bad = Assert.Throws<KairosConfigException>(() => YamlConfigLoader.Load("""
            jobs:
              order:
                workflow:
                  steps:
                    - id: check
                      handler: ok
                    - id: charge
                      handler: ok
                      needs: [chek]
            """, "kairos.yaml"));
        var error = Assert.Single(bad.Errors);
        Assert.Equal(9, error.Line); // needs: [chek]
        Assert.Contains("there is no step 'chek'", error.Message);
    }
}

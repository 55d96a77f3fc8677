using System.Text.Json;
using Kairos.Configuration;
using Kairos.Events;
using Kairos.Model;
using Kairos.Storage.Drivers;
using Kairos.Workflows;

namespace Kairos.Tests.Workflows;

/// <summary>waitForEvent in a definition: checked at save with the field (API) or the line (YAML), and what its match takes.</summary>
public sealed class EventWaitDefinitionTests
{
    private static IReadOnlyList<string> Errors(params WorkflowStep[] steps) =>
        JobRules.Validate(new JobDefinition { Name = "flow", Executor = new WorkflowExecutorSpec(steps) });

    private static WorkflowStep Wait(string id, string type = "payment.received", string? match = null, TimeSpan? timeout = null) =>
        new(id) { WaitForEvent = new EventWait(type, timeout ?? TimeSpan.FromHours(1)) { Match = match } };

    [Fact]
    public void A_wait_names_a_type_a_positive_timeout_and_a_match_reading_the_event_and_the_steps_it_needs()
    {
        Assert.Empty(Errors(new WorkflowStep("a") { Run = new HandlerExecutorSpec("ok") },
            Wait("b", "order.*", "event.data.id == {{steps.a.output.id}} and event.data.total >= input.min") with { Needs = ["a"] }));

        Assert.Contains(Errors(Wait("w", type: "order..paid")), e => e.StartsWith("workflow.steps[0].waitForEvent.type: event type pattern 'order..paid' has an empty segment", StringComparison.Ordinal));
        Assert.Contains("workflow.steps[0].waitForEvent.type: the wait is for events of the workflow's own namespace: write the type without one", Errors(Wait("w", type: "billing/paid")));
        Assert.Contains("workflow.steps[0].waitForEvent.timeout: timeout must be greater than zero", Errors(Wait("w", timeout: TimeSpan.Zero)));
        Assert.Contains(Errors(Wait("w", match: "event.data.id == {{steps.a.output.id}}")),
            e => e.StartsWith("workflow.steps[0].waitForEvent.match: 'steps.a.output.id' reads step 'a', which 'w' does not need", StringComparison.Ordinal));
        Assert.Contains("workflow.steps[0].waitForEvent.match: at 17: a value or path is missing at the end", Errors(Wait("w", match: "event.data.id ==")));
        Assert.Contains(Errors(Wait("w", match: "payload.id == 1")), e => e.StartsWith("workflow.steps[0].waitForEvent.match: at 1: 'payload.id' is not a path: paths start with 'event', 'input'", StringComparison.Ordinal));
        Assert.Contains("workflow.steps[0].input: a waitForEvent step takes no input: its output is the event's data", Errors(Wait("w") with { Input = "{}" }));
        Assert.Contains(Errors(Wait("w") with { Sleep = TimeSpan.FromMinutes(1) }), e => e.StartsWith("workflow.steps[0]: give exactly one of job, an inline executor (handler, command, http), sleep or waitForEvent", StringComparison.Ordinal));
        Assert.Contains("workflow.steps[0].forEach: a waitForEvent step does not go over a list", Errors(Wait("w") with { ForEach = "{{input.list}}" }));
    }

    [Fact]
    public void Over_json_a_wait_is_an_object_and_a_missing_type_or_timeout_is_named()
    {
        var spec = (WorkflowExecutorSpec)JsonSerializer.Deserialize<ExecutorSpec>(
            """{"kind": "workflow", "steps": [{"id": "w", "waitForEvent": {"type": "paid", "match": "event.data.id == 1", "timeout": "00:30:00"}}]}""", KairosJson.Options)!;
        Assert.Equal(new EventWait("paid", TimeSpan.FromMinutes(30)) { Match = "event.data.id == 1" }, spec.Steps[0].WaitForEvent);

        var missing = JsonSerializer.Deserialize<ExecutorSpec>("""{"kind": "workflow", "steps": [{"id": "w", "waitForEvent": {}}]}""", KairosJson.Options)!;
        var errors = JobRules.Validate(new JobDefinition { Name = "flow", Executor = missing });
        Assert.Contains(errors, e => e.StartsWith("workflow.steps[0].waitForEvent.type: an event type pattern must not be empty", StringComparison.Ordinal));
        Assert.Contains("workflow.steps[0].waitForEvent.timeout: timeout must be greater than zero", errors);
    }

    [Fact]
    public void Yaml_waits_load_and_their_errors_carry_the_line_of_what_is_wrong()
    {
        var good = YamlConfigLoader.Load("""
            jobs:
              order:
                workflow:
                  steps:
                    - id: pay
                      waitForEvent: { type: payment.received, match: "event.data.order == {{input.id}}", timeout: 2h }
            """, "kairos.yaml");
        var spec = Assert.IsType<WorkflowExecutorSpec>(Assert.Single(good.Jobs).Executor);
        Assert.Equal(new EventWait("payment.received", TimeSpan.FromHours(2)) { Match = "event.data.order == {{input.id}}" }, spec.Steps[0].WaitForEvent);

        Assert.Equal((7, 13, "unknown key 'matches' in waitForEvent; allowed: type, match, timeout"), LoadError("""
            jobs:
              order:
                workflow:
                  steps:
                    - id: pay
                      waitForEvent:
                        matches: x
                        type: paid
                        timeout: 1h
            """));
        var badTimeout = LoadError("""
            jobs:
              order:
                workflow:
                  steps:
                    - id: pay
                      waitForEvent: { type: paid, timeout: soon }
            """);
        Assert.Equal((6, 48), (badTimeout.Line, badTimeout.Column));
        Assert.StartsWith("timeout 'soon' is not a positive duration", badTimeout.Message);
        var noTimeout = LoadError("""
            jobs:
              order:
                workflow:
                  steps:
                    - id: pay
                      waitForEvent: { type: paid }
            """);
        Assert.Equal((6, 25, "waitForEvent needs a type (an event type or pattern) and a timeout (a duration such as 30m)"), noTimeout);
        var badMatch = LoadError("""
            jobs:
              order:
                workflow:
                  steps:
                    - id: pay
                      waitForEvent: { type: paid, match: "event.data.id = 1", timeout: 1h }
            """);
        Assert.Equal(6, badMatch.Line); // The line of the match itself, not of its step.
        Assert.StartsWith("workflow.steps[0].waitForEvent.match: at 15:", badMatch.Message);
    }

    private static (int Line, int Column, string Message) LoadError(string yaml)
    {
        var error = Assert.Single(Assert.Throws<KairosConfigException>(() => YamlConfigLoader.Load(yaml, "kairos.yaml")).Errors);
        return (error.Line, error.Column, error.Message);
    }

    [Theory]
    [InlineData("""{"order": 7, "total": 30}""", true)]
    [InlineData("""{"order": 8, "total": 30}""", false)]
    [InlineData("""{"order": 7, "total": 10}""", false)]
    [InlineData(null, false)]
    public void A_match_reads_the_event_against_the_run_values_frozen_when_the_wait_started(string? data, bool expected)
    {
        const string match = "event.data.order == {{input.order}} and event.data.total >= steps.quote.output.min and event.type == 'payment.received'";
        var context = """{"input": {"order": 7, "other": "not kept"}, "steps": {"quote": {"state": "succeeded", "output": {"min": 20}}}}""";
        var values = EventMatch.Freeze(match, context);
        Assert.Equal("""{"input":{"order":7},"steps":{"quote":{"output":{"min":20}}}}""", values);

        var wait = new EventWaitRow(1, 2, Access.Namespaces.Of("flow"), "payment.*", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch) { Match = match, Values = values };
        Assert.Equal(expected, EventMatch.Matches(wait, new EventRequest("payment.received", "test") { Data = data }));
        Assert.False(EventMatch.Matches(wait, new EventRequest("billing/payment.received", "test") { Data = data })); // another namespace
    }
}

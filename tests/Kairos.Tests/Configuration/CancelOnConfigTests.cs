using System.Text.Json;
using Kairos.Configuration;
using Kairos.Model;

namespace Kairos.Tests.Configuration;

/// <summary><c>flow.cancelOn</c> in YAML and in API JSON: the shape, and a bad value as an error at its position or naming its field.</summary>
public sealed class CancelOnConfigTests
{
    private static string Job(string cancelOn) => "jobs:\n  a:\n    handler: echo\n    flow:\n      cancelOn:\n" + cancelOn;

    [Fact]
    public void Rules_read_with_their_match_and_timeout_and_a_job_with_only_cancel_on_keeps_the_plain_paths()
    {
        var job = YamlConfigLoader.Load(Job("""
                    - event: order.cancelled
                      match: { data.orderId: "{{payload.orderId}}", data.shop: eu }
                      timeout: 1h
                    - event: "customer.*"

            """), "test.yaml").Jobs.Single();

        var rules = job.Flow!.CancelOn;
        Assert.Equal(("order.cancelled", TimeSpan.FromHours(1)), (rules[0].Event, rules[0].Timeout));
        Assert.Equal(new Dictionary<string, string> { ["data.orderId"] = "{{payload.orderId}}", ["data.shop"] = "eu" }, rules[0].Match);
        Assert.Equal(new CancelOnRule("customer.*"), rules[1]);
        Assert.Null(Kairos.Engine.Flow.FlowKeys.Stored(job)); // Nothing for the enqueue and the claim to do.
        Assert.Contains("customer.*", Kairos.Engine.Flow.CancelOnEvents.Stored(job));
    }

    [Theory]
    [InlineData("        - { match: { data.id: x } }\n", 6, 11, "flow.cancelOn[0] needs event")]
    [InlineData("        - { event: 'order.*x' }\n", 6, 20, "flow.cancelOn[0].event: event type pattern 'order.*x': '*' must be a whole segment")]
    [InlineData("        - { event: 'billing/order.cancelled' }\n", 6, 20, "names a namespace")]
    [InlineData("        - { event: run.failed }\n", 6, 20, "the run.* events of finished runs do not cancel runs")]
    [InlineData("        - { event: order.cancelled, match: { orderId: '{{payload.id}}' } }\n", 6, 46, "flow.cancelOn[0].match: 'orderId' is not a path into the event's data")]
    [InlineData("        - { event: order.cancelled, match: { data.id: '{{steps.x}}' } }\n", 6, 55, "flow.cancelOn[0].match.data.id: '{{steps.x}}' is not a payload template")]
    [InlineData("        - { event: order.cancelled, match: [data.id] }\n", 6, 44, "flow.cancelOn[0].match must be a mapping of event paths to payload templates")]
    [InlineData("        - { event: order.cancelled, timeout: never }\n", 6, 46, "flow.cancelOn[0].timeout 'never' is not a positive duration")]
    [InlineData("        - { event: order.cancelled, when: now }\n", 6, 37, "unknown key 'when' in flow.cancelOn[0]; allowed: event, match, timeout")]
    [InlineData("        event: order.cancelled\n", 6, 9, "flow.cancelOn must be a list")]
    public void A_bad_value_is_an_error_at_its_position(string cancelOn, int line, int column, string message)
    {
        var error = Assert.Single(Assert.Throws<KairosConfigException>(() => YamlConfigLoader.Load(Job(cancelOn), "test.yaml")).Errors);

        Assert.Contains(message, error.Message);
        Assert.Equal((line, column), (error.Line, error.Column));
    }

    [Fact]
    public void The_API_shape_is_the_stored_one_and_validation_names_each_field()
    {
        var job = JsonSerializer.Deserialize<JobDefinition>(
            """
            {"name":"a","executor":{"kind":"handler","handler":"echo"},
             "flow":{"cancelOn":[{"event":"order.cancelled","match":{"data.orderId":"{{payload.orderId}}"},"timeout":"01:00:00"}]}}
            """, KairosJson.Input)!;

        Assert.Equal(TimeSpan.FromHours(1), job.Flow!.CancelOn.Single().Timeout);
        Assert.Empty(JobRules.Validate(job));
        var bad = job with
        {
            Flow = job.Flow with
            {
                CancelOn =
                [
                    new CancelOnRule("order.*x", new Dictionary<string, string> { ["orderId"] = "{{payload.id}}", ["data.id"] = "{{x}}" }, TimeSpan.Zero),
                    new CancelOnRule("run.succeeded"),
                ],
            },
        };
        Assert.Equal(
            new[]
            {
                "flow.cancelOn[0].event: event type pattern 'order.*x': '*' must be a whole segment (write order.* rather than order*)",
                "flow.cancelOn[0].timeout: timeout must be a positive duration of at most 100 years",
                "flow.cancelOn[0].match.orderId: 'orderId' is not a path into the event's data: write data or data.a.b",
                "flow.cancelOn[0].match.data.id: '{{x}}' is not a payload template: write {{payload}} or {{payload.a.b}}",
                "flow.cancelOn[1].event: the run.* events of finished runs do not cancel runs (cancel from the job that finished, or subscribe to them)",
            },
            JobRules.Validate(bad));
    }
}

using System.Text.Json;
using Kairos.Configuration;
using Kairos.Model;

namespace Kairos.Tests.Configuration;

/// <summary>A job's <c>flow:</c> section in YAML and in API JSON: the shapes, and a bad value as an error at its position.</summary>
public sealed class FlowConfigTests
{
    private static string Job(string flow) => "jobs:\n  a:\n    handler: echo\n    concurrency: { maxInstances: 4 }\n    flow:\n" + flow;

    private static ConfigError FailsOnce(string yaml) =>
        Assert.Single(Assert.Throws<KairosConfigException>(() => YamlConfigLoader.Load(yaml, "test.yaml")).Errors);

    [Fact]
    public void Every_rule_reads_with_its_keys_beside_the_job_level_concurrency()
    {
        var job = YamlConfigLoader.Load(Job("""
                  concurrency:
                    - { key: "{{payload.customer.id}}", limit: 2 }
                    - limit: 10
                  rateLimit: { key: "{{payload.ip}}", limit: 100, period: 1h }
                  singleton: { key: "{{payload.order}}", mode: cancel }
                  throttle: { limit: 5, period: 1m, burst: 2 }

            """.Replace("\n      ", "\n      ")), "test.yaml").Jobs.Single();

        Assert.Equal(4, job.Concurrency.MaxInstances);
        var flow = job.Flow!;
        Assert.Equal(new[] { new ConcurrencyKey(2, "{{payload.customer.id}}"), new ConcurrencyKey(10) }, flow.Concurrency);
        Assert.Equal(new RateLimitRule(100, TimeSpan.FromHours(1), "{{payload.ip}}"), flow.RateLimit);
        Assert.Equal(new SingletonRule("{{payload.order}}", SingletonMode.Cancel), flow.Singleton);
        Assert.Equal(new ThrottleRule(5, TimeSpan.FromMinutes(1), 2), flow.Throttle);
    }

    [Fact]
    public void One_concurrency_limit_may_be_written_without_the_list_and_a_job_without_flow_has_none()
    {
        Assert.Equal(new ConcurrencyKey(1, "{{payload.x}}"),
            YamlConfigLoader.Load(Job("      concurrency: { key: '{{payload.x}}', limit: 1 }\n"), "test.yaml").Jobs.Single().Flow!.Concurrency.Single());
        Assert.Null(YamlConfigLoader.Load("jobs:\n  a:\n    handler: echo\n", "test.yaml").Jobs.Single().Flow);
    }

    [Fact]
    public void Debounce_and_batch_read_with_their_keys()
    {
        Assert.Equal(new DebounceRule(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), "{{payload.user}}"),
            YamlConfigLoader.Load(Job("      debounce: { key: '{{payload.user}}', period: 30s, timeout: 5m }\n"), "test.yaml").Jobs.Single().Flow!.Debounce);
        Assert.Equal(new BatchRule(100, TimeSpan.FromSeconds(5), "{{payload.tenant}}"),
            YamlConfigLoader.Load(Job("      batch: { key: '{{payload.tenant}}', maxSize: 100, timeout: 5s }\n"), "test.yaml").Jobs.Single().Flow!.Batch);
    }

    [Theory]
    [InlineData("      concurrency: [{ key: '{{payload.x}}', limit: 0 }]\n", 6, 52, "flow.concurrency[0].limit 0 is out of range 1–100000")]
    [InlineData("      concurrency: [{ key: '{{payload.x}}' }]\n", 6, 21, "flow.concurrency[0] needs a limit")]
    [InlineData("      concurrency: [{ key: '{{steps.x}}', limit: 1 }]\n", 6, 28, "'{{steps.x}}' is not a payload template")]
    [InlineData("      rateLimit: { limit: 5, period: soon }\n", 6, 38, "flow.rateLimit.period 'soon' is not a positive duration")]
    [InlineData("      rateLimit: { limit: 5, period: 8d }\n", 6, 38, "period must be a positive duration of at most 7d")]
    [InlineData("      rateLimit: { limit: 5 }\n", 6, 18, "flow.rateLimit needs period")]
    [InlineData("      singleton: { mode: replace }\n", 6, 26, "flow.singleton.mode 'replace' is not one of: skip, cancel")]
    [InlineData("      throttle: { limit: 5, period: 1m, burst: 0 }\n", 6, 48, "flow.throttle.burst 0 is out of range")]
    [InlineData("      dedupe: { period: 1m }\n", 6, 7, "unknown key 'dedupe' in flow")]
    [InlineData("      debounce: { period: 1m, timeout: 30s }\n", 6, 40, "flow.debounce.timeout must not be shorter than the period")]
    [InlineData("      batch: { maxSize: 1001, timeout: 1m }\n", 6, 25, "flow.batch.maxSize 1001 is out of range 1–1000")]
    [InlineData("      batch: { maxSize: 10 }\n", 6, 14, "flow.batch needs timeout")]
    [InlineData("      priority: 7\n", 6, 17, "flow.priority: priority must be a template over the payload")]
    [InlineData("      priority: '{{steps.x}}'\n", 6, 17, "'{{steps.x}}' is not a payload template")]
    [InlineData("      debounce: { period: 1m }\n      batch: { maxSize: 2, timeout: 1m }\n", 7, 14, "either debounces or batches")]
    public void A_bad_value_is_an_error_at_its_position(string flow, int line, int column, string message)
    {
        var error = FailsOnce(Job(flow));

        Assert.Contains(message, error.Message);
        Assert.Equal((line, column), (error.Line, error.Column));
    }

    [Fact]
    public void The_API_shape_is_the_stored_one_and_validation_names_each_field()
    {
        var job = JsonSerializer.Deserialize<JobDefinition>(
            """
            {"name":"a","executor":{"kind":"handler","handler":"echo"},
             "flow":{"concurrency":[{"key":"{{payload.c}}","limit":2}],"rateLimit":{"limit":3,"period":"00:01:00"},
                     "singleton":{"mode":"cancel"},"throttle":{"limit":1,"period":"00:00:10","burst":3}}}
            """, KairosJson.Input)!;

        Assert.Equal(new ConcurrencyKey(2, "{{payload.c}}"), job.Flow!.Concurrency.Single());
        Assert.Equal(new SingletonRule(null, SingletonMode.Cancel), job.Flow.Singleton);
        Assert.Empty(JobRules.Validate(job));
        var bad = job with { Flow = job.Flow with { Throttle = new ThrottleRule(0, TimeSpan.Zero, 0, "{{x}}") } };
        Assert.Equal(
            new[]
            {
                "flow.throttle.key: '{{x}}' is not a payload template: write {{payload}} or {{payload.a.b}}",
                "flow.throttle.limit: limit must be 1 to 100000, not 0",
                "flow.throttle.period: period must be a positive duration of at most 7d",
                "flow.throttle.burst: must be 1 to 100000, not 0",
            },
            JobRules.Validate(bad));
    }
}

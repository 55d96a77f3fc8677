using Kairos.Configuration;
using Kairos.Model;

namespace Kairos.Tests.Configuration;

/// <summary><c>overlap:</c> on a time trigger in YAML: the words, and a bad value or place as an error at its position.</summary>
public sealed class TriggerOverlapConfigTests
{
    private static string Job(string trigger) => "jobs:\n  a:\n    handler: echo\n    triggers:\n" + trigger;

    private static ConfigError FailsOnce(string yaml) =>
        Assert.Single(Assert.Throws<KairosConfigException>(() => YamlConfigLoader.Load(yaml, "test.yaml")).Errors);

    [Theory]
    [InlineData("allow-all", TriggerOverlap.AllowAll)]
    [InlineData("skip", TriggerOverlap.Skip)]
    [InlineData("buffer-one", TriggerOverlap.BufferOne)]
    [InlineData("buffer-all", TriggerOverlap.BufferAll)]
    [InlineData("cancel-other", TriggerOverlap.CancelOther)]
    [InlineData("terminate-other", TriggerOverlap.TerminateOther)]
    public void Each_word_reads_as_its_policy_on_cron_and_interval_triggers(string word, TriggerOverlap policy)
    {
        var config = YamlConfigLoader.Load(Job($"      - cron: '*/5 * * * *'\n        overlap: {word}\n      - interval: 10m\n        overlap: {word}\n"), "test.yaml");

        Assert.All(config.Jobs.Single().Triggers, t => Assert.Equal(policy, t.Overlap));
    }

    [Fact]
    public void A_trigger_without_overlap_has_none_so_the_job_s_on_overlap_applies()
    {
        var config = YamlConfigLoader.Load(Job("      - cron: '*/5 * * * *'\n"), "test.yaml");

        Assert.Null(config.Jobs.Single().Triggers.Single().Overlap);
    }

    [Fact]
    public void An_unknown_word_is_an_error_at_its_position_listing_the_words()
    {
        var error = FailsOnce(Job("      - cron: '*/5 * * * *'\n        overlap: queue\n"));

        Assert.Equal((6, 18), (error.Line, error.Column));
        Assert.Contains("overlap 'queue' is not one of: allow-all, skip, buffer-one, buffer-all, cancel-other, terminate-other", error.Message);
    }

    [Fact]
    public void Overlap_on_a_trigger_that_is_not_a_cron_or_interval_is_an_error_at_its_position()
    {
        var error = FailsOnce("webhooks:\n  h: {}\n" + Job("      - webhook: h\n        overlap: skip\n"));

        Assert.Equal((8, 18), (error.Line, error.Column));
        Assert.Contains("'overlap' applies only to cron and interval triggers", error.Message);
    }

    [Fact]
    public void A_waiting_overlap_with_a_rule_that_times_runs_too_is_an_error_at_the_flow_and_in_the_api()
    {
        var error = FailsOnce(Job("      - cron: '*/5 * * * *'\n        overlap: buffer-one\n") + "    flow:\n      throttle: { limit: 1, period: 1m }\n");

        Assert.Equal((8, 7), (error.Line, error.Column)); // The flow section's first rule.
        Assert.Contains("flow.throttle: cannot go with a trigger whose overlap (buffer-one) makes runs wait", error.Message);
        var admitting = new FlowControl { RateLimit = new RateLimitRule(1, TimeSpan.FromMinutes(1)), Singleton = new SingletonRule() };
        var job = new JobDefinition { Name = "a", Executor = new HandlerExecutorSpec("echo"), Triggers = [new IntervalTriggerSpec(TimeSpan.FromMinutes(1)) { Overlap = TriggerOverlap.CancelOther }] };
        Assert.Empty(JobRules.Validate(job with { Flow = admitting }));
        Assert.Contains(JobRules.Validate(job with { Flow = new FlowControl { Debounce = new DebounceRule(TimeSpan.FromMinutes(1)) } }),
            e => e.StartsWith("flow.debounce: cannot go with a trigger whose overlap (cancel-other)", StringComparison.Ordinal));
    }
}

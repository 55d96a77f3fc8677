using Kairos.Configuration;
using Kairos.Model;

namespace Kairos.Tests.Configuration;

/// <summary><c>publish:</c> on webhooks, file and poll triggers in YAML, and each mistake at its position.</summary>
public sealed class SourceEventConfigTests
{
    private static ConfigError FailsOnce(string yaml) =>
        Assert.Single(Assert.Throws<KairosConfigException>(() => YamlConfigLoader.Load(yaml, "test.yaml")).Errors);

    [Fact]
    public void Webhooks_file_and_poll_triggers_read_their_event_type()
    {
        var config = YamlConfigLoader.Load("""
            webhooks:
              github: { publish: webhook.github.push }
            jobs:
              a:
                handler: echo
                triggers:
                  - file: /data/in
                    publish: files.arrived
                  - poll: { http: { url: "https://status.example/", status: 200 } }
                    every: 1m
                    publish: status.up
            """, "test.yaml");

        Assert.Equal("webhook.github.push", config.Webhooks.Single().Publish);
        Assert.Equal(["files.arrived", "status.up"], config.Jobs.Single().Triggers.Select(t => t.Publish));
    }

    [Fact]
    public void Publish_on_a_time_trigger_is_an_error_at_its_position()
    {
        var error = FailsOnce("jobs:\n  a:\n    handler: echo\n    triggers:\n      - cron: '* * * * *'\n        publish: x.y\n");
        Assert.Equal((6, 18), (error.Line, error.Column));
        Assert.Contains("only to file and poll triggers", error.Message);
    }

    [Fact]
    public void A_reserved_or_malformed_type_is_an_error_at_its_position()
    {
        var reserved = FailsOnce("webhooks:\n  github:\n    publish: run.failed\n");
        Assert.Equal((3, 14), (reserved.Line, reserved.Column));
        Assert.Contains("Kairos publishes itself", reserved.Message);
        var malformed = FailsOnce("jobs:\n  a:\n    handler: echo\n    triggers:\n      - file: /in\n        publish: 'a b'\n");
        Assert.Contains("not a valid event type", malformed.Message);
    }

    [Fact]
    public void The_api_rules_refuse_the_same_mistakes_naming_the_field()
    {
        var job = new JobDefinition
        {
            Name = "a",
            Executor = new HandlerExecutorSpec("echo"),
            Triggers = [new CronTriggerSpec("* * * * *") { Publish = "x.y" }, new FileTriggerSpec("/in") { Publish = "job.paused" }],
        };
        var errors = JobRules.Validate(job);
        Assert.Contains(errors, e => e.StartsWith("triggers[0].publish: only file and poll triggers publish", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("triggers[1].publish: 'job.paused' is an event type Kairos publishes itself", StringComparison.Ordinal));
        Assert.Equal("publish", Assert.Single(Kairos.Webhooks.WebhookRules.Check(new Kairos.Webhooks.WebhookDefinition("h") { Publish = "a..b" })).Field);
    }
}

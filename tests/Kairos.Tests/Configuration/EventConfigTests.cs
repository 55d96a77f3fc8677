using Kairos.Configuration;
using Kairos.Model;
using Kairos.Webhooks;

namespace Kairos.Tests.Configuration;

/// <summary>The event-trigger parts of the YAML file: webhooks, subscriptions, completion chains.</summary>
public sealed class EventConfigTests
{
    [Fact]
    public void Webhooks_subscriptions_and_completion_triggers_are_read()
    {
        var config = YamlConfigLoader.Load("""
            webhooks:
              github-push:
                verify: github
                secretEnv: GITHUB_HOOK_SECRET
                maxBodyBytes: 65536
                rateLimit: { requests: 10, per: 1s }
                headers: [X-GitHub-Event]
              open:
                verify: none
            subscriptions:
              big-orders:
                events: "order.*"
                filter: { data.amount: { $gt: 100 }, data.currency: EUR }
                job: build
            jobs:
              build:
                handler: echo
                triggers:
                  - webhook: github-push
              deploy:
                handler: echo
                triggers:
                  - completion: build
                    on: succeeded
              notify:
                handler: echo
                triggers:
                  - completion: deploy
                    on: any
                    maxDepth: 3
            """, "t.yaml");

        var hook = config.Webhooks.Single(w => w.Name == "github-push");
        Assert.Equal((WebhookVerification.GitHub, "GITHUB_HOOK_SECRET", 65536L, new WebhookRateLimit(10, TimeSpan.FromSeconds(1))),
            (hook.Verification, hook.Secret!.EnvironmentVariable, hook.MaxBodyBytes, hook.RateLimit));
        Assert.Equal(["X-GitHub-Event"], hook.Headers);
        var subscription = Assert.Single(config.Subscriptions);
        Assert.Equal(("order.*", "build", """{"data.amount":{"$gt":100},"data.currency":"EUR"}"""), (subscription.Pattern, subscription.Job, subscription.Filter));
        Assert.Equal(new WebhookTriggerSpec("github-push"), config.Jobs.Single(j => j.Name == "build").Triggers.Single());
        Assert.Equal(new CompletionTriggerSpec("deploy", CompletionOutcome.Any) { MaxDepth = 3 }, config.Jobs.Single(j => j.Name == "notify").Triggers.Single());
    }

    [Theory]
    [InlineData("webhooks:\n  h:\n    verify: github\njobs: {}\n", "needs a secret")]
    [InlineData("webhooks:\n  h:\n    verify: md5\n", "'md5' is not one of: none, github, standard, bearer, stripe, hmac")]
    [InlineData("jobs:\n  a:\n    handler: echo\n    triggers:\n      - webhook: nowhere\n", "webhook trigger for 'nowhere', which is not declared under webhooks:")]
    [InlineData("jobs:\n  a:\n    handler: echo\n    triggers:\n      - completion: ghost\n", "runs after job 'ghost', which is not declared")]
    [InlineData("subscriptions:\n  s:\n    events: 'order.*'\n    job: ghost\n", "targets job 'ghost'")]
    [InlineData("subscriptions:\n  s:\n    events: 'order*'\n    job: a\njobs:\n  a:\n    handler: echo\n", "must be a whole segment")]
    [InlineData("subscriptions:\n  s:\n    events: 'a'\n    job: a\n    filter: { data.x: { $near: 1 } }\njobs:\n  a:\n    handler: echo\n", "unknown operator '$near'")]
    [InlineData("jobs:\n  a:\n    handler: echo\n    triggers:\n      - completion: a\n        on: maybe\n", "'maybe' is not one of: succeeded, failed, any")]
    public void Event_trigger_mistakes_are_reported(string yaml, string expected) =>
        Assert.Contains(expected, Assert.Throws<KairosConfigException>(() => YamlConfigLoader.Load(yaml, "t.yaml")).Message);

    [Fact]
    public void A_completion_cycle_is_rejected_unless_it_sets_a_max_depth()
    {
        const string Cycle = """
            jobs:
              a:
                handler: echo
                triggers:
                  - completion: c
              b:
                handler: echo
                triggers:
                  - completion: a
              c:
                handler: echo
                triggers:
                  - completion: b{0}
            """;
        var error = Assert.Throws<KairosConfigException>(() => YamlConfigLoader.Load(string.Format(System.Globalization.CultureInfo.InvariantCulture, Cycle, ""), "t.yaml"));
        Assert.Contains("cycle", error.Message);
        Assert.Contains("a → b → c → a", error.Message);

        var bounded = YamlConfigLoader.Load(string.Format(System.Globalization.CultureInfo.InvariantCulture, Cycle, "\n        maxDepth: 10"), "t.yaml");
        Assert.Equal(3, bounded.Jobs.Count);
    }
}

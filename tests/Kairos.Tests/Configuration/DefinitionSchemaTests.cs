using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Configuration;
using Kairos.Configuration.Schema;
using Kairos.Model;

namespace Kairos.Tests.Configuration;

/// <summary>
/// The one schema of jobs, subscriptions and webhooks: what <see cref="DefinitionWriter"/> renders,
/// <see cref="DefinitionReader"/> reads back to the same definition (for every executor and trigger
/// kind), and a body in the former API shape or with a mistake is refused naming the field.
/// </summary>
public sealed class DefinitionSchemaTests
{
    /// <summary>Every executor kind, every trigger kind, flow control, notifications and non-default settings.</summary>
    internal const string EveryKind = """
        webhooks:
          github:
            verify: hmac
            secretEnv: HOOK_SECRET
            replayWindow: 10m
            maxBodyBytes: 2048
            rateLimit: { requests: 10, per: 1s }
            headers: [X-Request-Id]
            hmac: { header: X-Sig, algorithm: sha512, encoding: base64, prefix: "sha512=", signedContent: "{{header.X-Time}}.{{body}}", timestampHeader: X-Time }
            publish: github.push
        subscriptions:
          big-orders:
            events: "order.*"
            filter: { data.amount: { $gt: 100 } }
            job: handled
            active: false
        jobs:
          handled:
            handler: echo
            queue: reports
            priority: 8
            timeout: 1h30m
            retry: { maxAttempts: 5 }
            concurrency: { maxInstances: 2, onOverlap: skip }
            paused: true
            pauseAfterFailures: 3
            timeouts: { start: 10m, finish: 1h }
            triggers:
              - { cron: "0 9 * * 1-5", timeZone: Europe/Paris, misfire: skip, overlap: skip, jitter: 30s, catchUp: 1h }
              - { interval: 10m, mode: fixed-delay, anchor: "2026-01-01T00:00:00+00:00", payload: { a: 1, b: "two", c: [true, null] } }
              - { once: "2030-01-01T09:00:00+01:00" }
              - { now: true }
              - { webhook: github }
              - { completion: commanded, on: any, maxDepth: 4 }
              - { file: /tmp/inbox, include: ["*.csv"], exclude: ["*.tmp"], recursive: false, events: [created, renamed], settle: 5s, reconcile: 2m, allowConcurrent: false, ignoreOwnChanges: false, publish: inbox.file }
              - { poll: my-poller }
              - { poll: { http: { url: "https://example.com/status", headers: { A: b }, field: state, equals: "ready" } }, every: 30s, timeout: 5s, allowConcurrent: true }
              - { poll: { sql: { provider: sqlite, connectionEnv: DB, query: "select id from t where id > @watermark", watermark: id } }, every: 1m }
            flow:
              concurrency: [{ key: "{{payload.customer}}", limit: 2 }]
              rateLimit: { limit: 5, period: 1m, key: "{{payload.customer}}" }
              throttle: { limit: 3, period: 10s, burst: 2 }
              debounce: { period: 5s, timeout: 1m }
              priority: "{{payload.priority}}"
              cancelOn: [{ event: order.cancelled, match: { data.id: "{{payload.id}}" }, timeout: 1h }]
            notify:
              - { on: [failed, dead], http: { url: "https://hooks.example/alert", headers: { X: y }, body: "{{run.error}}" } }
              - { on: succeeded, event: handled.done }
          commanded:
            command:
              argv: ["/bin/echo", "{{payload.name}}", "-n"]
              env: { LANG: C }
              workingDirectory: /tmp
              maxOutputBytes: 4096
              killGrace: 3s
              allowOptions: [2]
            retry: { backoff: linear, initialDelay: 5s, maxDelay: 1m, jitter: 0, maxAttempts: 4 }
            flow:
              singleton: { key: "{{payload.id}}", mode: cancel }
              batch: { maxSize: 10, timeout: 30s }
          fetched:
            http: { method: POST, url: "https://example.com/x", headers: { Accept: application/json }, body: { id: 1 }, timeout: 5s, maxResponseBytes: 1024 }
          flowing:
            workflow:
              onFailure: compensate
              output: { total: "{{steps.charge.output.total}}" }
              timeout: 2h
              steps:
                - { id: check, handler: echo, input: { sku: "{{input.sku}}" } }
                - id: charge
                  needs: check
                  when: steps.check.output.ok == true
                  http: { method: POST, url: "https://pay.example/charge" }
                  retry: { maxAttempts: 5 }
                  timeout: 30s
                  compensate: { command: ["/bin/echo", "refund"], retry: { maxAttempts: 2 } }
                - { id: nap, needs: [charge], sleep: 5m, runIf: always }
                - { id: paid, needs: [nap], waitForEvent: { type: order.paid, match: "event.data.id == 1", timeout: 30m } }
                - { id: each, needs: [paid], job: handled, forEach: "{{input.items}}", maxParallel: 3 }
        """;

    private static readonly KairosConfig Config = YamlConfigLoader.Load(EveryKind, "every-kind.yaml");

    private static string Stored<T>(T value) => JsonSerializer.Serialize(value, KairosJson.Options);

    [Fact]
    public void Every_job_written_in_the_schema_reads_back_to_the_same_definition()
    {
        Assert.Equal(4, Config.Jobs.Count);
        foreach (var job in Config.Jobs)
        {
            var written = DefinitionWriter.Job(job);
            Assert.Equal(Stored(job), Stored(DefinitionReader.Job(job.Name, written)));
        }
        var kinds = Config.Jobs.SelectMany(j => j.Triggers).Select(t => t.Source).Distinct().Order().ToList();
        Assert.Equal(["completion", "cron", "file", "interval", "now", "once", "poll", "webhook"], kinds);
    }

    [Fact]
    public void Subscriptions_and_webhooks_read_back_the_same_and_the_webhook_shows_where_its_secret_is_never_the_secret()
    {
        var subscription = Config.Subscriptions.Single();
        Assert.Equal(Stored(subscription), Stored(DefinitionReader.Subscription(subscription.Name, DefinitionWriter.Subscription(subscription))));
        var hook = Config.Webhooks.Single();
        var written = DefinitionWriter.Webhook(hook);
        Assert.Equal(Stored(hook), Stored(DefinitionReader.Webhook(hook.Name, written)));
        Assert.Equal("HOOK_SECRET", (string?)written["secretEnv"]);

        var literal = DefinitionWriter.Webhook(hook with { Secret = Kairos.Webhooks.SecretSource.Literal("hunter2") });
        Assert.DoesNotContain("hunter2", literal.ToJsonString());
        Assert.Equal("set in configuration", (string?)literal["status"]!["secret"]);
    }

    [Fact]
    public void It_is_written_as_a_person_writes_the_file_durations_with_units_and_defaults_left_out()
    {
        var job = DefinitionWriter.Job(Config.Jobs.Single(j => j.Name == "handled"));

        Assert.Equal("1h30m", (string?)job["timeout"]);
        Assert.Equal("""{"maxAttempts":5}""", job["retry"]!.ToJsonString());
        Assert.Equal("""{"cron":"0 9 * * 1-5","timeZone":"Europe/Paris","misfire":"skip","jitter":"30s","catchUp":"1h","overlap":"skip"}""", job["triggers"]![0]!.ToJsonString());
        Assert.Equal("""{"a":1,"b":"two","c":[true,null]}""", job["triggers"]![1]!["payload"]!.ToJsonString());
        var minimal = DefinitionWriter.Job(new JobDefinition { Name = "x", Executor = new HandlerExecutorSpec("echo") });
        Assert.Equal("""{"name":"x","handler":"echo","queue":"default","priority":5,"paused":false}""", minimal.ToJsonString());
    }

    [Fact]
    public void A_body_without_retry_gets_the_same_default_as_the_file_exponential_from_10s()
    {
        var job = DefinitionReader.Job("x", new JsonObject { ["handler"] = "echo", ["retry"] = new JsonObject { ["maxAttempts"] = 5 } });

        Assert.Equal(RetryPolicy.Default with { MaxAttempts = 5 }, job.Retry);
    }

    [Theory]
    [InlineData("""{"executor": {"kind": "handler", "handler": "echo"}}""", "unknown key 'executor' in job 'x': use handler:, command:, http: or workflow: as in YAML")]
    [InlineData("""{"handler": "echo", "triggers": [{"kind": "cron", "expression": "0 9 * * *"}]}""", "triggers[0].kind: unknown key 'kind' in a trigger: name the kind by its key")]
    [InlineData("""{"handler": "echo", "triggers": [{"cron": "61 * * * *"}]}""", "triggers[0].cron: invalid cron expression '61 * * * *'")]
    [InlineData("""{"handler": "echo", "timeout": "00:10:00"}""", "timeout: '00:10:00' is written as a clock; write durations as a number and a unit: 10m")]
    [InlineData("""{"handler": "echo", "retry": {"backoff": "sideways"}}""", "retry.backoff: 'sideways' is not one of: fixed, linear, exponential")]
    [InlineData("""{"command": {"argv": ["/bin/true"], "killGracePeriod": "00:00:05"}}""", "command.killGracePeriod: unknown key 'killGracePeriod' in command: use killGrace:")]
    [InlineData("""{"handler": "echo", "flow": {"concurrency": [{"limit": 0}]}}""", "flow.concurrency[0].limit: 0 is out of range")]
    [InlineData("""{"handler": "echo", "queue": null}""", "queue: must be a text value")]
    [InlineData("""{"name": "y", "handler": "echo"}""", "name: the job definition is named 'x' by its URL, and the body says")]
    public void A_mistake_is_refused_naming_the_field_and_what_to_write(string body, string expected)
    {
        var error = Assert.Throws<KairosValidationException>(() => DefinitionReader.Job("x", JsonNode.Parse(body)!.AsObject()));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Every_mistake_of_a_body_is_reported_at_once()
    {
        var error = Assert.Throws<KairosValidationException>(() => DefinitionReader.Job("x",
            JsonNode.Parse("""{"handler": "echo", "priority": 99, "triggers": [{"interval": "soon"}]}""")!.AsObject()));

        Assert.StartsWith("the job definition has 2 errors: ", error.Message);
        Assert.Contains("priority: 99 is out of range 1–10", error.Message);
        Assert.Contains("triggers[0].interval: 'soon' is not a positive duration", error.Message);
    }

    [Fact]
    public void A_webhook_in_the_former_shape_is_told_the_new_names()
    {
        var error = Assert.Throws<KairosValidationException>(() => DefinitionReader.Webhook("h", JsonNode.Parse("""{"rateLimitRequests": 5}""")!.AsObject()));

        Assert.Contains("rateLimitRequests: unknown key 'rateLimitRequests' in webhook 'h': use rateLimit: { requests: N, per: 1s }", error.Message);
    }
}

using Kairos.Hosting;
using Kairos.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Tests.Cli;

/// <summary>
/// Every client command's table and <c>--json</c> output against a real server on loopback, compared
/// with golden files (see <see cref="GoldenFiles"/>). The steps run one after another on a fresh
/// database, each waiting for its runs to end, so ids and counts are the same on every run.
/// </summary>
public sealed class GoldenOutputTests
{
    private const string Config = """
        jobs:
          greet:
            command: ["/bin/echo", "hello {{payload.name}}"]
          nightly:
            handler: echo
            queue: reports
            priority: 3
            triggers:
              - cron: "0 3 * * *"
                timeZone: Europe/Paris
          ship-order:
            handler: echo
          broken:
            handler: fail
            retry: { maxAttempts: 1 }
          order-flow:
            workflow:
              steps:
                - id: check
                  handler: echo
                  input: { sku: "{{input.sku}}" }
                - id: ship
                  needs: [check]
                  job: ship-order
        webhooks:
          deploy:
            verify: bearer
            secretEnv: KAIROS_GOLDEN_DEPLOY_TOKEN
        subscriptions:
          big-orders:
            events: "order.*"
            filter: { data.amount: { $gt: 100 } }
            job: ship-order
        secrets:
          smtp: { env: KAIROS_GOLDEN_SMTP }
        """;

    private const string TidyJob = """
        jobs:
          tidy:
            handler: noop
            queue: maintenance
            triggers:
              - interval: 1h
        """;

    private const string TidierJob = """
        jobs:
          tidy:
            handler: noop
            queue: maintenance
            priority: 8
        """;

    [Fact]
    public async Task Runs_events_and_workflows_print_as_the_golden_files_say_in_text_and_json()
    {
        await using var server = await StartAsync();
        var golden = Golden(server);
        string[] at = ["--server", server.Url];

        await golden.CheckAsync("jobs-run-wait", ["jobs", "run", "greet", "--data", """{"name":"ada"}""", "--wait", "1m", .. at]);
        await golden.CheckAsync("events-publish", ["events", "publish", "order.created", "--data", """{"amount":250}""", .. at]);
        await golden.CheckAsync("runs-show-wait", ["runs", "show", "2", "--wait=1m", .. at]);
        await golden.CheckAsync("jobs-run-wait-json", ["jobs", "run", "order-flow", "--data", """{"sku":"A1"}""", "--json", "--wait", .. at]);

        await golden.CheckAsync("runs-list", ["runs", "list", .. at]);
        await golden.CheckAsync("runs-list-json", ["runs", "list", "--json", .. at]);
        await golden.CheckAsync("runs-list-job-limit", ["runs", "list", "--job", "ship-order", "--limit", "1", .. at]);
        await golden.CheckAsync("runs-list-source-since", ["runs", "list", "--source", "manual", "--since", "1h", .. at]);
        await golden.CheckAsync("runs-list-from-to", ["runs", "list", "--from", "2000-01-01T00:00:00Z", "--to", "2000-01-02T00:00:00Z", .. at]);
        await golden.CheckAsync("runs-list-unknown-source", ["runs", "list", "--source", "pigeon", .. at]);
        await golden.CheckAsync("runs-show", ["runs", "show", "1", .. at]);
        await golden.CheckAsync("runs-show-json", ["runs", "show", "1", "--json", .. at]);
        await golden.CheckAsync("runs-log", ["runs", "log", "1", .. at]);
        await golden.CheckAsync("runs-log-json", ["runs", "log", "1", "--json", .. at]);
        await golden.CheckAsync("events-list", ["events", "list", .. at]);
        await golden.CheckAsync("events-list-json", ["events", "list", "--json", .. at]);
        await golden.CheckAsync("events-show", ["events", "show", "1", .. at]);
        await golden.CheckAsync("workflows-list", ["workflows", "list", .. at]);
        await golden.CheckAsync("workflows-list-json", ["workflows", "list", "--json", .. at]);
        await golden.CheckAsync("workflows-show", ["workflows", "show", "order-flow", .. at]);
        await golden.CheckAsync("workflows-run", ["workflows", "run", "3", .. at]);
        await golden.CheckAsync("workflows-run-json", ["workflows", "run", "3", "--json", .. at]);
        await golden.CheckAsync("stats", ["stats", .. at]);
        await golden.CheckAsync("stats-json", ["stats", "--json", .. at]);
        await golden.CheckAsync("jobs-run-wait-dead", ["jobs", "run", "broken", "--wait", .. at]);
        golden.AssertAllMatched();
    }

    [Fact]
    public async Task Jobs_subscriptions_webhooks_secrets_and_nodes_print_as_the_golden_files_say_in_text_and_json()
    {
        await using var server = await StartAsync();
        var golden = Golden(server);
        string[] at = ["--server", server.Url];
        var tidy = server.Directory.File("tidy.yaml");
        var tidier = server.Directory.File("tidier.yaml");
        await File.WriteAllTextAsync(tidy, TidyJob);
        await File.WriteAllTextAsync(tidier, TidierJob);

        await golden.CheckAsync("jobs-list", ["jobs", "list", .. at]);
        await golden.CheckAsync("jobs-list-json", ["jobs", "list", "--json", .. at]);
        await golden.CheckAsync("jobs-show", ["jobs", "show", "nightly", .. at]);
        await golden.CheckAsync("jobs-next", ["jobs", "next", "nightly", "--count", "2", .. at]);
        await golden.CheckAsync("jobs-next-json", ["jobs", "next", "nightly", "--count", "2", "--json", .. at]);
        await golden.CheckAsync("jobs-create", ["jobs", "create", "--file", tidy, .. at]);
        await golden.CheckAsync("jobs-create-again", ["jobs", "create", "--file", tidy, .. at]);
        await golden.CheckAsync("jobs-edit-json", ["jobs", "edit", "--file", tidier, "--json", .. at]);
        await golden.CheckAsync("jobs-pause", ["jobs", "pause", "tidy", .. at]);
        await golden.CheckAsync("jobs-resume-json", ["jobs", "resume", "tidy", "--json", .. at]);
        await golden.CheckAsync("jobs-delete", ["jobs", "delete", "tidy", .. at]);
        await golden.CheckAsync("jobs-edit-missing", ["jobs", "edit", "--file", tidier, .. at]);
        await golden.CheckAsync("jobs-create-flags-json", ["jobs", "create", "weekly", "--handler", "noop", "--cron", "0 6 * * 1", "--queue", "maintenance", "--retries", "1", "--json", .. at]);
        await golden.CheckAsync("jobs-edit-flags-json", ["jobs", "edit", "weekly", "--cron", "0 7 * * 1", "--every", "6h", "--priority", "8", "--retries", "4", "--pause", "--json", .. at]);
        await golden.CheckAsync("jobs-edit-flags", ["jobs", "edit", "weekly", "--queue", "reports", "--resume", "--handler", "echo", .. at]);
        await golden.CheckAsync("jobs-edit-flags-shown", ["jobs", "show", "weekly", .. at]);
        await golden.CheckAsync("jobs-edit-no-flags", ["jobs", "edit", "weekly", .. at]);
        await golden.CheckAsync("jobs-edit-flags-missing", ["jobs", "edit", "nope", "--priority", "3", .. at]);
        await golden.CheckAsync("jobs-edit-flags-bad-priority", ["jobs", "edit", "weekly", "--priority", "11", .. at]);

        await golden.CheckAsync("subscriptions-create", ["subscriptions", "create", "small-orders", "--events", "order.*", "--job", "ship-order", "--filter", """{"data.amount": {"$lte": 100}}""", .. at]);
        await golden.CheckAsync("subscriptions-list", ["subscriptions", "list", .. at]);
        await golden.CheckAsync("subscriptions-list-json", ["subscriptions", "list", "--json", .. at]);
        await golden.CheckAsync("subscriptions-delete", ["subscriptions", "delete", "small-orders", .. at]);
        await golden.CheckAsync("webhooks-create-json", ["webhooks", "create", "ping", "--publish", "ping.received", "--json", .. at]);
        await golden.CheckAsync("webhooks-list", ["webhooks", "list", .. at]);
        await golden.CheckAsync("webhooks-list-json", ["webhooks", "list", "--json", .. at]);
        await golden.CheckAsync("webhooks-delete", ["webhooks", "delete", "ping", .. at]);
        await golden.CheckAsync("secrets-list", ["secrets", "list", .. at]);
        await golden.CheckAsync("secrets-list-json", ["secrets", "list", "--json", .. at]);
        await golden.CheckUnpaddedAsync("nodes", ["nodes", .. at]);
        await golden.CheckAsync("nodes-json", ["nodes", "--json", .. at]);
        await golden.CheckAsync("namespaces-list", ["namespaces", "list", .. at]);
        await golden.CheckAsync("namespaces-list-json", ["namespaces", "list", "--json", .. at]);

        await golden.CheckAsync("diff", ["diff", tidy, .. at]);
        await golden.CheckAsync("apply-dry-run-json", ["apply", tidy, "--dry-run", "--json", .. at]);
        await golden.CheckAsync("validate", ["validate", tidy]);
        await golden.CheckAsync("cron-next", ["cron", "next", "0 9 * * MON-FRI", "--tz", "Europe/Paris", "--from", "2026-03-27T00:00:00Z", "--count", "3"]);
        golden.AssertAllMatched();
    }

    [Fact]
    public async Task Keys_print_as_the_golden_files_say_in_text_and_json()
    {
        await using var server = await StartAsync();
        var database = server.Directory.File("kairos.db");
        var (exit, output, error) = await CliRunner.RunAsync("keys", "create", "ops", "--scope", "admin", "--db", database, "--json");
        Assert.True(exit == 0, error);
        var created = System.Text.Json.Nodes.JsonNode.Parse(output)!;
        var token = (string)created["token"]!;
        var id = (string)created["key"]!["id"]!;
        var golden = Golden(server).Replace(token, "TOKEN").Replace(id, new string('X', id.Length));
        string[] at = ["--server", server.Url, "--api-key", token];

        await golden.CheckAsync("keys-list", ["keys", "list", .. at]);
        await golden.CheckAsync("keys-list-json", ["keys", "list", "--json", .. at]);
        await golden.CheckAsync("keys-list-db", ["keys", "list", "--db", database]);
        await golden.CheckAsync("keys-revoke", ["keys", "revoke", "ops", "--db", database]);
        golden.AssertAllMatched();
    }

    private static Task<InProcessServer> StartAsync() =>
        InProcessServer.StartAsync(Config, kairos => kairos.Services.PostConfigure<KairosOptions>(o => o.NodeId = "golden-node"));

    private static GoldenFiles Golden(InProcessServer server) => new GoldenFiles()
        .Replace(server.Url, "http://127.0.0.1:PORT")
        .Replace(server.Directory.Path, "/tmp/kairos-golden")
        .Replace(Environment.MachineName, "HOST")
        .Replace(Kairos.Cli.KairosCli.Version, "VERSION");
}

using System.Net.Http.Json;
using Kairos.Events;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary>A restart with a changed file: what the file no longer declares is deleted; what the API created stays.</summary>
public sealed class DeclaredDefinitionsTests
{
    private const string Before = """
        jobs:
          kept:
            handler: noop
          dropped:
            handler: noop
            triggers:
              - cron: "0 0 1 1 *"
              - webhook: inbox
        webhooks:
          inbox: {}
        subscriptions:
          audit:
            events: "order.*"
            job: dropped
        """;

    private const string After = """
        jobs:
          kept:
            handler: noop
        """;

    [Fact]
    public async Task A_job_webhook_and_subscription_removed_from_the_file_are_gone_after_a_restart_and_api_objects_stay()
    {
        using var directory = new TempDirectory();
        long queued;
        await using (var first = await InProcessServer.StartAsync(Before, directory: directory))
        {
            await first.Client.PauseJobAsync("dropped");
            queued = (await first.Client.RunNowAsync("kept")).RunId;
            using var put = await first.Http.PutAsJsonAsync("/api/jobs/from-api", new { handler = "noop" });
            put.EnsureSuccessStatusCode();
            await first.Client.SaveSubscriptionAsync(new Subscription("api-sub", "order.*", "kept"));
        }

        await using var second = await InProcessServer.StartAsync(After, directory: directory);

        Assert.Equal(["from-api", "kept"], (await second.Client.ListJobsAsync()).Select(j => j.Definition.Name).Order());
        Assert.Empty(await second.Client.ListWebhooksAsync());
        Assert.Equal(["api-sub"], (await second.Client.ListSubscriptionsAsync()).Select(s => s.Name));
        Assert.DoesNotContain(await second.Client.ListTriggersAsync(), t => t.JobName == "dropped");
        Assert.Contains(await second.Client.ListJournalAsync(new JournalQuery { JobName = "dropped" }), e => e.Kind == "job.deleted");
        Assert.NotNull(await second.Client.GetRunAsync(queued));
    }

    [Fact]
    public async Task A_database_from_before_declarations_were_remembered_loses_nothing_at_its_first_start()
    {
        using var directory = new TempDirectory();
        await using (var first = await InProcessServer.StartAsync(Before, directory: directory))
        {
            // As a database written before this version: nothing remembered as declared.
            await first.Engine.Store.WriteAsync(async tx => { await tx.ReplaceDeclaredAsync([]); return true; }, CancellationToken.None);
        }

        await using var second = await InProcessServer.StartAsync(After, directory: directory);

        Assert.Equal(["dropped", "kept"], (await second.Client.ListJobsAsync()).Select(j => j.Definition.Name).Order());
    }

    [Fact]
    public async Task A_changed_file_is_applied_while_the_server_runs_and_a_broken_one_changes_nothing()
    {
        await using var server = await InProcessServer.StartAsync(Before);
        var file = server.Directory.File("kairos.yaml");

        await File.WriteAllTextAsync(file, After + "\n  added:\n    handler: noop\n");
        await Eventually.TrueAsync(async () => (await server.Client.GetJobAsync("added")) is not null && (await server.Client.GetJobAsync("dropped")) is null,
            "the changed file is applied");
        await File.WriteAllTextAsync(file, "jobs:\n  broken:\n    handler: noop\n    priorty: 3\n");
        await Eventually.TrueAsync(() => server.Engine.Reloader!.Refused == 1, "the broken file is refused");
        Assert.Equal(["added", "kept"], (await server.Client.ListJobsAsync()).Select(j => j.Definition.Name).Order());
        await File.WriteAllTextAsync(file, After + "\n  later:\n    handler: noop\n");
        await Eventually.TrueAsync(async () => (await server.Client.GetJobAsync("later")) is not null && (await server.Client.GetJobAsync("added")) is null,
            "the fixed file is applied");

        Assert.Equal(["kept", "later"], (await server.Client.ListJobsAsync()).Select(j => j.Definition.Name).Order());
    }

    [Fact]
    public async Task A_start_whose_configuration_declares_nothing_keeps_what_was_declared_before()
    {
        using var directory = new TempDirectory();
        await using (var first = await InProcessServer.StartAsync(Before, directory: directory))
        {
        }

        await using var second = await InProcessServer.StartAsync("jobs: {}\n", directory: directory);

        Assert.Equal(["dropped", "kept"], (await second.Client.ListJobsAsync()).Select(j => j.Definition.Name).Order());
    }
}

using System.Text.Json.Nodes;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Sqlite;
using Kairos.Tests.Support;
using Kairos.Webhooks;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Kairos.Tests.Engine.Retention;

/// <summary>The pruner on a real engine and SQLite file, with the default ages (7 days succeeded, 30 days dead, …) and a manual clock.</summary>
public sealed class PrunerTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_pass_deletes_each_kind_past_its_age_and_nothing_active()
    {
        await using var t = await TestEngine.CreateAsync();
        var now = t.Clock.GetUtcNow();
        await t.Engine.SaveJobAsync(TestEngine.Job("job"));
        await t.Engine.SaveJobAsync(TestEngine.Job("held", change: j => j with { Paused = true }));
        // Written in time order, as a running engine writes them (ids and sequence numbers grow with time).
        var queued40 = (await t.Store.EnqueueAsync(new RunRequest("held", TriggerSources.Manual), now.AddDays(-40), None)).RunId; // A paused job's backlog.
        var running40 = await RunningSinceAsync(t.Store, now.AddDays(-40));
        await t.Store.AppendJournalAsync("note", null, null, now.AddDays(-31), None); // Not the newest entry, which is always kept.
        var dead31 = await FinishedRuns.CreateAsync(t.Store, "job", RunState.Dead, now.AddDays(-31));
        var cancelled31 = await FinishedRuns.CreateAsync(t.Store, "job", RunState.Cancelled, now.AddDays(-31));
        var succeeded8 = await FinishedRuns.CreateAsync(t.Store, "job", RunState.Succeeded, now.AddDays(-8));
        var dead8 = await FinishedRuns.CreateAsync(t.Store, "job", RunState.Dead, now.AddDays(-8));
        var succeeded6 = await FinishedRuns.CreateAsync(t.Store, "job", RunState.Succeeded, now.AddDays(-6));

        var counts = await t.Engine.Pruner.PruneOnceAsync(now, None);

        Assert.Equal((1, 0, 1, 1), (counts.Succeeded, counts.Skipped, counts.Dead, counts.Cancelled));
        var left = (await t.Store.ListRunsAsync(new RunQuery(), None)).Select(r => r.Id).Order();
        Assert.Equal(new[] { succeeded6, dead8, queued40, running40 }.Order(), left);
        Assert.DoesNotContain(succeeded8, left);
        Assert.DoesNotContain(dead31, left);
        Assert.DoesNotContain(cancelled31, left);
        var journal = await t.Store.ListJournalAsync(new JournalQuery(), None);
        Assert.DoesNotContain(journal, e => e.Kind == "note" || e.RunId == dead31);
        Assert.Contains(journal, e => e.Kind == "run.enqueued" && e.RunId == queued40); // 40 days old, but its run is still queued.
        Assert.Contains(journal, e => e.Kind == "run.started" && e.RunId == running40);
        var pruned = Assert.Single(journal, e => e.Kind == "retention.pruned");
        var data = JsonNode.Parse(pruned.Data!)!;
        Assert.Equal((1, 1, 1, counts.Journal), ((int)data["succeeded"]!, (int)data["dead"]!, (int)data["cancelled"]!, (int)data["journal"]!));
        Assert.True(counts.Journal > 0);

        Assert.Equal(0, (await t.Engine.Pruner.PruneOnceAsync(now, None)).Total); // Nothing left to do: no second entry.
        Assert.Single(await t.Store.ListJournalAsync(new JournalQuery(), None), e => e.Kind == "retention.pruned");
    }

    [Fact]
    public async Task The_leader_prunes_every_interval_and_forgets_webhook_delivery_ids_without_a_new_delivery()
    {
        await using var t = await TestEngine.CreateAsync(
            s => s.AddWebhook(new WebhookDefinition("h") { ReplayWindow = TimeSpan.FromMinutes(5) }),
            configure: o =>
            {
                o.Retention.Interval = TimeSpan.FromMinutes(10);
                o.LeaderLease = TimeSpan.FromHours(1); // No leadership check-in falls inside the clock moves below.
            });
        await t.StartAsync();
        await Eventually.TrueAsync(() => t.Engine.Pruner.Passes == 1, "the first pass, at the start of the leadership");
        await t.Engine.AcceptWebhookAsync(new WebhookDelivery("h", "d-1", "{}", t.Clock.GetUtcNow()) { RejectRepeatedId = true, ReplayWindow = TimeSpan.FromMinutes(5) });
        var path = ((SqliteStore)t.Store).DatabasePath;
        Assert.Equal(1, await CountAsync(path, "webhook_deliveries"));

        t.Clock.Advance(TimeSpan.FromMinutes(10)); // The pass due now runs at exactly +10 min: past the 5-minute window.
        await Eventually.TrueAsync(() => t.Engine.Pruner.Passes == 2, "the pass one interval later");

        Assert.Equal(0, await CountAsync(path, "webhook_deliveries"));
        var pruned = Assert.Single(await t.Store.ListJournalAsync(new JournalQuery(), None), e => e.Kind == "retention.pruned");
        Assert.Equal(1, (int)JsonNode.Parse(pruned.Data!)!["webhookDeliveries"]!);
    }

    [Fact]
    public async Task An_invalid_age_stops_the_engine_from_starting_and_names_the_field()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => TestEngine.CreateAsync(configure: o => o.Retention.Dead = TimeSpan.Zero));
        Assert.Contains("retention.dead must be a positive age", error.Message);
    }

    /// <summary>A run claimed at <paramref name="at"/> by a node that is still running it.</summary>
    private static async Task<long> RunningSinceAsync(IKairosStore store, DateTimeOffset at)
    {
        var run = await store.EnqueueAsync(new RunRequest("job", TriggerSources.Manual), at, None);
        var claimed = await store.ClaimAsync(new ClaimRequest("other-node", at, at.AddYears(1), 1, new Dictionary<string, int>(), new Dictionary<string, int>()), None);
        Assert.Equal(run.RunId, Assert.Single(claimed).Id);
        return run.RunId;
    }

    internal static async Task<long> CountAsync(string path, string table)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

using Kairos.Access;
using Kairos.Events;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Storage;

/// <summary>
/// The namespace filters each driver applies (runs, journal, events, stats) and the namespaces an
/// API key is bound to. Names of a namespace start with "ns/"; "billing2/…" must not pass for
/// "billing", nor "billing/…" for the default namespace.
/// </summary>
public abstract partial class StoreConformanceTests
{
    private async Task<Dictionary<string, long>> RunIdsByJobAsync()
    {
        var ids = new Dictionary<string, long>();
        foreach (var job in new[] { "report", "billing/report", "billing2/report" })
        {
            await SaveAsync(job);
            ids[job] = (await EnqueueAsync(job)).RunId;
        }
        return ids;
    }

    [StoreFact]
    public async Task Runs_journal_and_stats_filtered_by_namespace_hold_only_that_namespaces_jobs()
    {
        var runs = await RunIdsByJobAsync();

        var billing = await Store.ListRunsAsync(new RunQuery { Namespace = "billing" }, CancellationToken.None);
        var byDefault = await Store.ListRunsAsync(new RunQuery { Namespace = Namespaces.Default }, CancellationToken.None);
        var journal = await Store.ListJournalAsync(new JournalQuery { Namespace = "billing" }, CancellationToken.None);
        var stats = await Store.GetStatsAsync("billing", CancellationToken.None);
        var all = await Store.GetStatsAsync(null, CancellationToken.None);

        Assert.Equal([runs["billing/report"]], billing.Select(r => r.Id));
        Assert.Equal([runs["report"]], byDefault.Select(r => r.Id));
        Assert.NotEmpty(journal);
        Assert.All(journal, e => Assert.Equal("billing/report", e.JobName));
        Assert.Equal((1L, 1L), (stats.Jobs, stats.RunsByState["queued"]));
        Assert.Equal(journal.Count, stats.JournalEntries);
        Assert.Equal((3L, 3L), (all.Jobs, all.RunsByState["queued"]));
    }

    [StoreFact]
    public async Task Events_filtered_by_namespace_hold_only_those_published_in_it()
    {
        await Store.PublishAsync(new EventRequest("order.created", "test"), T0, CancellationToken.None);
        var billing = await Store.PublishAsync(new EventRequest("billing/order.created", "test"), T0, CancellationToken.None);
        await Store.PublishAsync(new EventRequest("billing2/order.created", "test"), T0, CancellationToken.None);

        var listed = await Store.ListEventsAsync(new EventQuery { Namespace = "billing", TypePattern = "order.*" }, CancellationToken.None);
        var inDefault = await Store.ListEventsAsync(new EventQuery { Namespace = Namespaces.Default }, CancellationToken.None);

        Assert.Equal([billing.EventId], listed.Select(e => e.Id));
        Assert.Equal(["order.created"], inDefault.Select(e => e.Type));
    }

    [StoreFact]
    public async Task An_api_key_keeps_the_namespaces_it_is_bound_to()
    {
        var bound = await ApiKeyRules.CreateAsync(Store, T0, "ci", KairosScope.Run, null, ["billing", "shop"], CancellationToken.None);
        await ApiKeyRules.CreateAsync(Store, T0, "root", KairosScope.Admin, null, null, CancellationToken.None);

        var keys = await Store.ListApiKeysAsync(CancellationToken.None);
        var authenticated = await ApiKeyRules.AuthenticateAsync(Store, T0, bound.Token, CancellationToken.None);

        Assert.Equal(["billing", "shop"], keys.Single(k => k.Name == "ci").Namespaces);
        Assert.Null(keys.Single(k => k.Name == "root").Namespaces);
        Assert.Equal(["billing", "shop"], authenticated!.Namespaces);
    }
}

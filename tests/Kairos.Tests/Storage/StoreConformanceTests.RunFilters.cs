using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Storage;

/// <summary>Runs listed by what fired them and when they were created, newest first, with the other filters and the cursor.</summary>
public abstract partial class StoreConformanceTests
{
    [StoreFact]
    public async Task Runs_are_listed_by_source_and_by_creation_time_from_inclusive_to_exclusive()
    {
        await SaveAsync("hooked");
        var early = await EnqueueAsync("hooked", T0, r => r with { Source = TriggerSources.Webhook });
        var cron = await EnqueueAsync("hooked", T0.AddMinutes(1), r => r with { Source = TriggerSources.Cron });
        // Due long after it was created: the range is of creation times, so it counts at T0 + 2m.
        var later = await EnqueueAsync("hooked", T0.AddMinutes(2), r => r with { Source = TriggerSources.Webhook, NotBefore = T0.AddDays(1) });
        var last = await EnqueueAsync("hooked", T0.AddMinutes(3), r => r with { Source = TriggerSources.Webhook });
        async Task<List<long>> ListAsync(RunQuery query) => (await Store.ListRunsAsync(query, CancellationToken.None)).Select(r => r.Id).ToList();

        Assert.Equal([last.RunId, later.RunId, early.RunId], await ListAsync(new RunQuery { Source = TriggerSources.Webhook }));
        Assert.Equal([cron.RunId], await ListAsync(new RunQuery { Source = TriggerSources.Cron }));
        Assert.Equal([later.RunId, cron.RunId], await ListAsync(new RunQuery { From = T0.AddMinutes(1), To = T0.AddMinutes(3) }));
        Assert.Equal([later.RunId], await ListAsync(new RunQuery { Source = TriggerSources.Webhook, From = T0.AddMinutes(1), To = T0.AddMinutes(3) }));
        Assert.Equal([later.RunId, early.RunId], await ListAsync(new RunQuery { Source = TriggerSources.Webhook, To = T0.AddMinutes(3) }));
        Assert.Equal([early.RunId], await ListAsync(new RunQuery { Source = TriggerSources.Webhook, To = T0.AddMinutes(3), BeforeId = later.RunId }));
        Assert.Equal([last.RunId, later.RunId], await ListAsync(new RunQuery { From = T0.AddMinutes(2), Limit = 3 }));
        Assert.Empty(await ListAsync(new RunQuery { Source = TriggerSources.Poll }));
        Assert.Empty(await ListAsync(new RunQuery { From = T0.AddMinutes(1), To = T0.AddMinutes(1) }));
    }
}

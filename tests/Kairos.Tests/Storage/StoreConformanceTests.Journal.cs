using Kairos.Storage;
using Kairos.Tests.Support;
using Xunit;

namespace Kairos.Tests.Storage;

/// <summary>Reading the journal by kind, newest first: how the dashboard finds a webhook's recent deliveries.</summary>
public abstract partial class StoreConformanceTests
{
    [StoreFact]
    public async Task The_journal_is_read_by_kind_newest_first_within_the_limit()
    {
        string[] kinds = ["webhook.accepted", "job.created", "webhook.refused", "webhook.accepted", "webhook.rejected", "webhook.accepted-late"];
        await Store.WriteAsync(async tx =>
        {
            for (var i = 0; i < kinds.Length; i++)
            {
                await tx.AppendJournalAsync(T0.AddSeconds(i), kinds[i], null, null, null, $"{{\"n\":{i}}}");
            }
            return true;
        }, CancellationToken.None);

        var newest = await Store.ListJournalAsync(new JournalQuery { Kinds = ["webhook.accepted", "webhook.refused", "webhook.rejected"], NewestFirst = true, Limit = 3 }, CancellationToken.None);
        var oldest = await Store.ListJournalAsync(new JournalQuery { Kinds = ["webhook.accepted"] }, CancellationToken.None);

        Assert.Equal(["{\"n\":4}", "{\"n\":3}", "{\"n\":2}"], newest.Select(e => e.Data));
        Assert.Equal(["{\"n\":0}", "{\"n\":3}"], oldest.Select(e => e.Data)); // An exact kind: not webhook.accepted-late.
    }
}

using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Storage;

/// <summary>Jobs read a page at a time: ordinal name order, after a name, at most a limit, within a namespace.</summary>
public abstract partial class StoreConformanceTests
{
    [StoreFact]
    public async Task Job_pages_follow_name_order_after_a_name_up_to_a_limit_within_a_namespace()
    {
        // Upper case before lower case and '-' before '.' in ordinal order, whatever the database's collation says.
        string[] names = ["B-job", "a.job", "a-job", "Zed", "billing/x", "billing/a", "billing2/a", "c"];
        foreach (var name in names)
        {
            await SaveAsync(name);
        }
        async Task<List<string>> PageAsync(string? after, int limit, string? ns = null) =>
            (await Store.ListJobsAsync(new JobQuery { After = after, Limit = limit, Namespace = ns }, CancellationToken.None)).Select(j => j.Definition.Name).ToList();

        Assert.Equal(names.Order(StringComparer.Ordinal), await PageAsync(null, 100));
        Assert.Equal(["B-job", "Zed", "a-job"], await PageAsync(null, 3));
        Assert.Equal(["a.job", "billing/a", "billing/x"], await PageAsync("a-job", 3));
        Assert.Equal(["billing/a", "billing/x"], await PageAsync(null, 10, "billing"));
        Assert.Equal(["billing/x"], await PageAsync("billing/a", 10, "billing"));
        Assert.Equal(["B-job", "Zed", "a-job", "a.job", "c"], await PageAsync(null, 10, Kairos.Access.Namespaces.Default));
        Assert.Empty(await PageAsync("c", 10));
    }
}

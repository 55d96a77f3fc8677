using Microsoft.Extensions.Options;

namespace Kairos.Tests.Hosting;

/// <summary>Options are checked when the host starts, and a failed start names every field to fix.</summary>
public sealed class KairosOptionsValidationTests
{
    [Fact]
    public async Task A_host_without_a_store_fails_at_start_saying_how_to_choose_one()
    {
        await using var t = KairosTestHost.Build(store: false);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => t.StartAsync());

        Assert.Equal(["store: none chosen; call UseSqlite(path) or UsePostgres(connectionString) on AddKairos()"], error.Failures);
    }

    [Fact]
    public async Task Out_of_range_options_fail_at_start_naming_each_field()
    {
        await using var t = KairosTestHost.Build(k => k.Configure(o =>
        {
            o.Workers = -1;
            o.LeaseDuration = TimeSpan.Zero;
            o.ShutdownGrace = TimeSpan.FromSeconds(-1);
            o.QueueLimits["reports"] = -2;
            o.Namespaces["billing"] = new Kairos.Hosting.NamespaceOptions { MaxRunning = -1 };
            o.Retention.Dead = TimeSpan.FromDays(-1);
        }));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => t.StartAsync());

        Assert.Equal(
            ["workers", "leaseDuration", "shutdownGrace", "queues.reports", "namespaces.billing.maxRunning", "retention.dead"],
            error.Failures.Select(f => f[..f.IndexOf(' ', StringComparison.Ordinal)]));
    }
}

using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Kairos.Tests.Hosting;

/// <summary>The "kairos" health check <c>AddKairos</c> registers asks the database.</summary>
public sealed class KairosHealthCheckTests
{
    [Fact]
    public async Task It_is_healthy_on_a_working_SQLite_file_and_reports_the_node()
    {
        await using var t = KairosTestHost.Build();
        await t.StartAsync();
        await Support.Eventually.TrueAsync(() => t.Engine.IsLeader, "the node to lead");

        var report = await t.Host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries["kairos"];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(("host-test", true, 0), ((string)entry.Data["node"], (bool)entry.Data["leader"], (int)entry.Data["activeRuns"]));
    }

    [Fact]
    public async Task It_is_unhealthy_when_the_database_file_is_not_a_database()
    {
        await using var t = KairosTestHost.Build();
        await File.WriteAllTextAsync(t.File("kairos.db"), "this file is not a SQLite database, whatever its name says");

        var report = await t.Host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries["kairos"];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        // Not just any failure (an unmigrated file fails too, with "no such table"): this file's own.
        Assert.StartsWith("the database does not answer", entry.Description);
        Assert.Contains("file is not a database", entry.Description);
    }
}

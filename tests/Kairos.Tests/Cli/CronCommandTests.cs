using Kairos.Tests.Support;

namespace Kairos.Tests.Cli;

public sealed class CronCommandTests
{
    private static Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) => CliRunner.RunAsync(args);

    [Fact]
    public async Task Cron_next_prints_fire_times_in_the_zone_offset_across_spring_forward()
    {
        var (exit, output, _) = await RunAsync("cron", "next", "30 2 * * *", "--tz", "Europe/Paris", "--from", "2026-03-27T00:00:00Z", "--count", "4");

        Assert.Equal(0, exit);
        Assert.Equal(
            ["At 02:30, Europe/Paris", "2026-03-27T02:30:00+01:00", "2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"],
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Cron_next_defaults_to_utc_and_five_times()
    {
        var (exit, output, _) = await RunAsync("cron", "next", "*/10 * * * * *", "--from", "2026-01-01T00:00:00Z");
        Assert.Equal(0, exit);
        Assert.Equal(["Every 10 seconds, UTC", "2026-01-01T00:00:10Z", "2026-01-01T00:00:20Z", "2026-01-01T00:00:30Z", "2026-01-01T00:00:40Z", "2026-01-01T00:00:50Z"],
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("61 * * * *", "minute")]
    [InlineData("* * 32 * *", "day-of-month")]
    [InlineData("* * * * FUNDAY", "day-of-week")]
    [InlineData("* * *", "has 3 fields; expected 5")]
    public async Task An_invalid_expression_exits_non_zero_naming_the_field(string expression, string expected)
    {
        var (exit, output, error) = await RunAsync("cron", "next", expression);
        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Contains(expected, error);
    }

    [Fact]
    public async Task An_unknown_zone_or_option_is_a_usage_error()
    {
        Assert.Contains("unknown time zone 'Nowhere/City'", (await RunAsync("cron", "next", "* * * * *", "--tz", "Nowhere/City")).Error);
        Assert.Contains("unknown option --tzz", (await RunAsync("cron", "next", "* * * * *", "--tzz", "UTC")).Error);
    }
}

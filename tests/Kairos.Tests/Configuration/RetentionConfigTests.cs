using Kairos.Configuration;
using Kairos.Hosting;

namespace Kairos.Tests.Configuration;

/// <summary><c>engine.retention</c>: ages per kind, <c>off</c> to keep forever, errors at their line and column.</summary>
public sealed class RetentionConfigTests
{
    [Fact]
    public void Ages_given_replace_the_defaults_and_off_keeps_forever()
    {
        var config = YamlConfigLoader.Load("""
            engine:
              retention:
                succeeded: 2d
                dead: off
                journal: 90d
                interval: 5m
                batchSize: 500
            """, "test.yaml");
        var options = new KairosOptions();
        config.Engine.ApplyTo(options);

        var r = options.Retention;
        Assert.Equal((TimeSpan.FromDays(2), Timeout.InfiniteTimeSpan, TimeSpan.FromDays(90)), (r.Succeeded, r.Dead, r.Journal));
        Assert.Equal((TimeSpan.FromMinutes(5), 500), (r.Interval, r.BatchSize));
        Assert.Equal((TimeSpan.FromDays(7), TimeSpan.FromDays(30), TimeSpan.FromDays(7)), (r.Skipped, r.Cancelled, r.Events)); // Not given: the defaults.
        Assert.Empty(r.Errors());
    }

    [Fact]
    public void A_bad_value_is_reported_at_its_line_and_column_naming_the_field()
    {
        var error = Assert.Throws<KairosConfigException>(() => YamlConfigLoader.Load("""
            engine:
              retention:
                succeeded: 7d
                cancelled: -3d
                events: soon
                interval: 2d
                forever: true
                dead: 99999999999d
            """, "test.yaml"));

        Assert.Equal(
            [
                (4, 16, "engine.retention.cancelled '-3d' is not a positive duration up to 100 years"),
                (5, 13, "engine.retention.events 'soon' is not a positive duration up to 100 years"),
                (6, 15, "engine.retention.interval 2d must be from 1s to 1d"),
                (7, 5, "unknown key 'forever' in engine.retention"),
                (8, 11, "engine.retention.dead '99999999999d' is not a positive duration up to 100 years"),
            ],
            error.Errors.Select(e => (e.Line, e.Column, e.Message[..Math.Min(e.Message.Length, Prefix(e.Message))])));
    }

    [Fact]
    public void Options_set_in_code_are_checked_field_by_field()
    {
        var options = new RetentionOptions
        {
            Succeeded = TimeSpan.FromDays(-1),
            Journal = TimeSpan.Zero,
            Events = TimeSpan.MaxValue, // Would overflow the pruner's cut-off on every pass.
            Interval = TimeSpan.FromMilliseconds(1),
            BatchSize = 0,
        };

        var errors = string.Join("; ", options.Errors());

        Assert.Contains("retention.succeeded must be a positive age", errors);
        Assert.Contains("retention.journal must be a positive age", errors);
        Assert.Contains("retention.events must be a positive age up to 36500 days", errors);
        Assert.Contains("retention.interval must be from 00:00:01", errors);
        Assert.Contains("retention.batchSize must be 1–100000", errors);
        Assert.DoesNotContain("retention.dead", errors);
    }

    /// <summary>The part of a message before its hint (after ':' or ';'), so the test does not pin the hint's wording.</summary>
    private static int Prefix(string message) =>
        message.IndexOfAny([':', ';']) is var end and > 0 ? end : message.Length;
}

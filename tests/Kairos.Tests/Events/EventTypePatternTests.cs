using Kairos.Events;

namespace Kairos.Tests.Events;

public sealed class EventTypePatternTests
{
    [Theory]
    [InlineData("order.*", "order.created", true)]
    [InlineData("order.*", "order.item.created", false)]
    [InlineData("order.*", "order", false)]
    [InlineData("*.failed", "run.failed", true)]
    [InlineData("*.failed", "run.succeeded", false)]
    [InlineData("order.**", "order", true)]
    [InlineData("order.**", "order.item.created", true)]
    [InlineData("**", "anything.at.all", true)]
    [InlineData("**.failed", "a.b.failed", true)]
    [InlineData("order.created", "order.created", true)]
    [InlineData("order.created", "Order.created", false)]
    [InlineData("a.*.c", "a.b.c", true)]
    [InlineData("a.*.c", "a.b.x", false)]
    public void Patterns_match_whole_segments(string pattern, string type, bool expected) =>
        Assert.Equal(expected, EventTypePattern.Parse(pattern).Matches(type));

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("order..created", "empty segment")]
    [InlineData("order*", "must be a whole segment")]
    public void Bad_patterns_say_what_is_wrong(string pattern, string expected) =>
        Assert.Contains(expected, Assert.Throws<KairosValidationException>(() => EventTypePattern.Parse(pattern)).Message);

    [Theory]
    [InlineData("order.created", true)]
    [InlineData("run_1.done-now", true)]
    [InlineData("order.", false)]
    [InlineData("order created", false)]
    [InlineData("order.*", false)]
    public void Published_types_are_checked(string type, bool valid) =>
        Assert.Equal(valid, EventTypePattern.CheckType(type) is null);

    [Fact]
    public void A_pattern_of_many_double_stars_matches_a_long_type_at_once()
    {
        // Backtracking over 40 '**' against 90 segments would try billions of splits.
        var pattern = EventTypePattern.Parse(string.Join('.', Enumerable.Repeat("**", 40)) + ".x");
        var type = string.Join('.', Enumerable.Repeat("a", 90));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        Assert.False(pattern.Matches(type));
        Assert.True(pattern.Matches(type + ".x"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Types_and_patterns_longer_than_200_characters_are_refused()
    {
        var longType = string.Join('.', Enumerable.Repeat("abcd", 41));

        Assert.Contains("at most 200", Assert.Throws<KairosValidationException>(() => EventTypePattern.Parse(longType)).Message);
        Assert.Contains("up to 200 characters", EventTypePattern.CheckType(longType));
    }
}

using Kairos.Server.Observability;

namespace Kairos.Tests.Server.Observability;

/// <summary>The exposition format's rules that a real server's numbers rarely reach: escaping, names, special values.</summary>
public sealed class PrometheusTextTests
{
    [Fact]
    public void A_label_value_with_quotes_backslashes_and_line_feeds_is_escaped_and_reads_back_the_same()
    {
        var value = "say \"hi\"\\now\nplease";
        var output = new StringWriter();
        output.Write("# TYPE x gauge\n");
        PrometheusText.Sample(output, "x", SeriesKey.From([new("job", value), new("dotted.tag", "1")]), null, 2.5);

        var scrape = PrometheusScrape.Parse(output.ToString());

        Assert.Equal(2.5, scrape.Value("x", ("job", value), ("dotted_tag", "1")));
    }

    [Theory]
    [InlineData("kairos.run.duration", "kairos_run_duration")]
    [InlineData("9lives-left", "_9lives_left")]
    public void Instrument_names_become_metric_names(string instrument, string metric) =>
        Assert.Equal(metric, PrometheusText.MetricName(instrument));

    [Fact]
    public void Infinities_and_not_a_number_are_written_as_Prometheus_spells_them() =>
        Assert.Equal(("+Inf", "-Inf", "NaN", "0.1"), (PrometheusText.Number(double.PositiveInfinity), PrometheusText.Number(double.NegativeInfinity), PrometheusText.Number(double.NaN), PrometheusText.Number(0.1)));
}

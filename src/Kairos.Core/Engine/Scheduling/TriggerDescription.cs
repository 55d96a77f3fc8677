using System.Globalization;
using Kairos.Cron;
using Kairos.Model;

namespace Kairos.Engine.Scheduling;

/// <summary>A time trigger's schedule in words: a cron trigger through <see cref="CronDescription"/> (with its zone), an interval or a once trigger plainly.</summary>
internal static class TriggerDescription
{
    public static string Of(TriggerSpec spec) => spec switch
    {
        CronTriggerSpec cron => CronDescription.Describe(TriggerTimes.Schedule(cron), cron.TimeZone),
        IntervalTriggerSpec { Mode: IntervalMode.FixedDelay } interval => $"{Span(interval.Every)} after each run ends",
        IntervalTriggerSpec interval => $"Every {Span(interval.Every)}",
        OnceTriggerSpec once => "Once, at " + once.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        _ => spec.Source,
    };

    /// <summary>"15 minutes", "1 hour 30 minutes", "2 days".</summary>
    private static string Span(TimeSpan span)
    {
        var parts = new List<string>();
        void Add(int value, string unit)
        {
            if (value > 0)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{value} {unit}{(value == 1 ? "" : "s")}"));
            }
        }
        Add(span.Days, "day");
        Add(span.Hours, "hour");
        Add(span.Minutes, "minute");
        Add(span.Seconds, "second");
        Add(span.Milliseconds, "millisecond");
        return parts.Count > 0 ? string.Join(" ", parts) : "0 seconds";
    }
}

using BenchmarkDotNet.Attributes;
using Kairos.Cron;

namespace Kairos.Benchmarks;

/// <summary>The cron maths behind every trigger fire: the next occurrence after a fixed instant.</summary>
[MemoryDiagnoser]
public class CronNextOccurrenceBenchmarks
{
    private static readonly DateTimeOffset From = new(2026, 3, 27, 13, 45, 17, TimeSpan.Zero);

    private CronSchedule _schedule = null!;
    private TimeZoneInfo _zone = null!;

    public static IEnumerable<CronCase> Cases =>
    [
        new("every-second UTC", "* * * * * *", "UTC"),
        new("every-15-min UTC", "*/15 * * * *", "UTC"),
        new("weekdays-9h Paris", "0 9 * * MON-FRI", "Europe/Paris"), // From a Friday: Monday, past the DST change of 29 March.
        new("02:30 New_York", "30 2 * * *", "America/New_York"),
        new("last-day Tokyo", "0 0 L * *", "Asia/Tokyo"),
        new("yearly UTC", "0 0 1 1 *", "UTC"),
    ];

    [ParamsSource(nameof(Cases))]
    public CronCase Case { get; set; } = null!;

    [GlobalSetup]
    public void Setup()
    {
        _schedule = CronSchedule.Parse(Case.Expression);
        _zone = TimeZoneInfo.FindSystemTimeZoneById(Case.Zone);
    }

    [Benchmark]
    public DateTimeOffset? GetNextOccurrence() => _schedule.GetNextOccurrence(From, _zone);

    /// <summary>An expression and the zone it is read in, under a short name for the results table.</summary>
    public sealed record CronCase(string Name, string Expression, string Zone)
    {
        public override string ToString() => Name;
    }
}

using System.CommandLine;
using System.Globalization;
using Kairos.Cron;
using Kairos.Model;

namespace Kairos.Cli.Commands;

/// <summary><c>kairos cron next "&lt;expr&gt;"</c>: the schedule in words, then the next fire times in a zone, as ISO-8601 with that zone's offset.</summary>
internal static class CronCommand
{
    public static Command Build() => CliCommand.Group("cron", "work with cron expressions",
        CliCommand.Leaf("next", "a cron expression in words, then its next fire times in a zone", Run,
            CliCommand.Argument("EXPRESSION", "the cron expression (quote it): 5 fields, or 6 with seconds"),
            CliCommand.Valued("--tz", "ZONE", "the IANA time zone (default UTC)"),
            CliCommand.Valued("--from", "TIME", "start after this ISO-8601 time (default now)"),
            CliCommand.Valued("--count", "N", "how many times (1 to 10000; default 5)")));

    private static Task<int> Run(CliArgs args, TextWriter output)
    {
        var expression = args.Positionals[0];
        var zoneName = args.Get("--tz") ?? "UTC";
        if (JobRules.TimeZone(zoneName) is { } zoneError)
        {
            throw new UsageException(zoneError);
        }
        var from = DateTimeOffset.UtcNow;
        if (args.Get("--from") is { } fromText &&
            !DateTimeOffset.TryParse(fromText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out from))
        {
            throw new UsageException($"--from '{fromText}' is not an ISO-8601 time such as 2026-03-29T00:00:00Z");
        }
        var count = 5;
        if (args.Get("--count") is { } countText && (!int.TryParse(countText, CultureInfo.InvariantCulture, out count) || count is < 1 or > 10_000))
        {
            throw new UsageException($"--count '{countText}' must be a whole number from 1 to 10000");
        }
        CronSchedule schedule;
        try
        {
            schedule = CronSchedule.Parse(expression);
        }
        catch (CronFormatException ex)
        {
            throw new UsageException($"invalid cron expression \"{expression}\": {ex.Message}");
        }
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneName);
        output.WriteLine(CronDescription.Describe(schedule, zoneName));
        foreach (var time in schedule.GetOccurrences(from, zone).Take(count))
        {
            output.WriteLine(time.ToString(time.Offset == TimeSpan.Zero && zoneName == "UTC" ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
        }
        return Task.FromResult(0);
    }
}

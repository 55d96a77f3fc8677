using System.CommandLine;
using System.Globalization;
using Kairos.Engine.Scheduling;
using static Kairos.Cli.CliCommand;
using static Kairos.Cli.Commands.ClientCommand;

namespace Kairos.Cli.Commands;

/// <summary><c>kairos jobs next NAME [--count 5]</c>: each time trigger's schedule in words and its next due times, in its zone and in UTC.</summary>
internal static class JobsNextCommand
{
    public static Command Build() => Leaf("next", "each time trigger's schedule in words and its next fire times, in its zone and in UTC", RunAsync,
    [
        Argument("NAME", "the job name"),
        Valued("--count", "N", $"how many times per trigger (1 to {UpcomingFires.MaxCount}; default 5)"),
        .. ClientOptions(),
    ]);

    private static async Task<int> RunAsync(CliArgs args, TextWriter output)
    {
        var name = args.Positionals[0];
        var count = 5;
        if (args.Get("--count") is { } countText && (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > UpcomingFires.MaxCount))
        {
            throw new UsageException($"--count '{countText}' must be a whole number from 1 to {UpcomingFires.MaxCount}");
        }
        using var api = ApiClient.For(args);
        var next = await api.GetAsync($"api/jobs/{Uri.EscapeDataString(name)}/next?count={count}");
        if (args.Has("--json"))
        {
            PrintJson(output, next);
            return 0;
        }
        if (next!["paused"]!.GetValue<bool>())
        {
            output.WriteLine($"job {name} is paused: these times enqueue nothing until it is resumed (kairos jobs resume {name})");
        }
        var triggers = next["triggers"]!.AsArray();
        if (triggers.Count == 0)
        {
            output.WriteLine($"job {name} has no time trigger (cron, interval or once)");
        }
        foreach (var trigger in triggers)
        {
            output.WriteLine($"trigger {Text(trigger!["id"])} ({Text(trigger["kind"])}): {Text(trigger["description"])}");
            var times = trigger["times"]!.AsArray();
            if (times.Count == 0)
            {
                output.WriteLine(Text(trigger["kind"]) == "once" ? "  fired; no more fire times" : "  next fire when its running run ends");
            }
            foreach (var time in times)
            {
                var at = Text(time!["at"]);
                var scheduled = Text(time["scheduledAt"]);
                output.WriteLine($"  {at}  {Text(time["utc"])}" + (scheduled != at ? $"  (scheduled {scheduled}, jitter)" : ""));
            }
        }
        return 0;
    }
}

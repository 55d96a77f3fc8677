using System.Diagnostics;

namespace Kairos.Cli.Bench;

/// <summary>Steady load: the i-th of <c>count</c> operations starts at i / rate seconds, without waiting for earlier ones to finish.</summary>
internal static class Paced
{
    public static async Task RunAsync(int rate, int count, Func<int, Task> operation)
    {
        var interval = TimeSpan.FromSeconds(1.0 / rate);
        var clock = Stopwatch.StartNew();
        var started = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            var due = interval * i;
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }
            started.Add(operation(i));
        }
        await Task.WhenAll(started);
    }

    /// <summary>Polls <paramref name="done"/> every 20 ms until it holds or <paramref name="limit"/> has passed.</summary>
    public static async Task WaitAsync(Func<bool> done, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!done() && clock.Elapsed < limit)
        {
            await Task.Delay(20);
        }
    }
}

using System.Diagnostics;

namespace Kairos.Tests.EndToEnd;

/// <summary>
/// Polls a condition that another process makes true, with a deadline. Like <see cref="Support.Eventually"/>
/// but with a gentler interval (each check is an HTTP call to a server sharing the CPUs) and a
/// description evaluated when it fails, so the message shows the last state seen.
/// </summary>
public static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, Func<string> what, TimeSpan timeout, int intervalMs = 25)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"timed out after {timeout.TotalSeconds:0.#} s waiting for: {what()}");
            }
            await Task.Delay(intervalMs);
        }
    }
}

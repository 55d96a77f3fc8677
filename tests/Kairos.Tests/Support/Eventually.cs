namespace Kairos.Tests.Support;

/// <summary>Waits for a condition that background work makes true, failing with a message after a real-time limit.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, int timeoutMs = 15_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!await condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"timed out after {timeoutMs} ms waiting for: {what}");
            }
            await Task.Delay(5);
        }
    }

    public static Task TrueAsync(Func<bool> condition, string what, int timeoutMs = 15_000) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeoutMs);
}

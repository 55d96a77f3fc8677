namespace Kairos.Tests.Support;

/// <summary>The highest value seen by handlers running at once on several threads.</summary>
public static class AtomicMax
{
    /// <summary>Raises <paramref name="target"/> to <paramref name="value"/> unless it is higher already, whatever other threads do meanwhile.</summary>
    public static void Raise(ref int target, int value)
    {
        for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
            {
                return;
            }
        }
    }
}

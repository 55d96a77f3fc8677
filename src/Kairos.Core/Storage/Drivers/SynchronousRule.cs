namespace Kairos.Storage.Drivers;

/// <summary>
/// For drivers whose primitives complete synchronously (SQLite's single writer thread, the
/// in-memory store's write lock): a rule over them completes synchronously too, and its result is
/// taken at once. A rule that did not complete awaited something else and would go on after its
/// write ended, so it is refused.
/// </summary>
internal static class SynchronousRule
{
    public static T Result<T>(ValueTask<T> rule, string driver) =>
        rule.IsCompleted
            ? rule.Result
            : throw new InvalidOperationException($"a rule awaited something other than the {driver} inside a write");
}

namespace Kairos.Model;

/// <summary>
/// Limits on free text that callers choose (idempotency keys, event sources), and how any text a
/// caller sent is quoted back in an error: a hostile megabyte-long value is cut, not echoed whole.
/// </summary>
internal static class InputText
{
    /// <summary>The longest idempotency key, event type, event source or type pattern: 200 characters.</summary>
    public const int MaxKeyLength = 200;

    private const int Shown = 64;

    /// <summary>The text in quotes, cut after 64 characters with its full length said.</summary>
    public static string Quote(string? text) =>
        text is null ? "null"
        : text.Length <= Shown ? $"'{text}'"
        : $"'{text[..Shown]}…' ({text.Length} characters)";

    /// <summary>Null when <paramref name="text"/> is at most <see cref="MaxKeyLength"/> characters, else what is wrong.</summary>
    public static string? Key(string? text, string what) =>
        text is null || text.Length <= MaxKeyLength ? null : $"{what} is {text.Length} characters long; at most {MaxKeyLength} are allowed";
}

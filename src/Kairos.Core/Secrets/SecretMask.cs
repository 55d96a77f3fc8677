namespace Kairos.Secrets;

/// <summary>
/// The secret values one run was given, masked wherever the run's words are kept (log lines,
/// output, error), so a job that echoes a secret stores <c>***</c>. Values shorter than 4
/// characters are not masked: they would mask ordinary text and hide almost nothing.
/// </summary>
internal sealed class SecretMask
{
    public const string Masked = "***";
    private readonly List<string> _values = [];

    public static SecretMask None { get; } = new();

    public SecretMask(IEnumerable<string>? values = null)
    {
        // Longest first, so a secret containing another is masked whole.
        _values.AddRange((values ?? []).Where(v => v.Length >= 4).Distinct().OrderByDescending(v => v.Length));
    }

    public string? Apply(string? text)
    {
        if (text is null || _values.Count == 0)
        {
            return text;
        }
        foreach (var value in _values)
        {
            text = text.Replace(value, Masked, StringComparison.Ordinal);
        }
        return text;
    }
}

namespace Kairos.Configuration;

/// <summary>A problem in a configuration file, at a 1-based line and column.</summary>
public sealed record ConfigError(int Line, int Column, string Message)
{
    public string Format(string file) => $"{file}:{Line}:{Column}: {Message}";
}

/// <summary>Thrown when a configuration file has errors; <see cref="Errors"/> lists all of them.</summary>
public sealed class KairosConfigException(string file, IReadOnlyList<ConfigError> errors)
    : Exception($"{file} has {errors.Count} error(s):" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e.Format(file))))
{
    public string File { get; } = file;
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}

using System.Text.RegularExpressions;

namespace Kairos.Engine.Triggers.Files;

/// <summary>
/// Which files under the watched directory a file trigger sees: a path relative to the directory
/// ('/'-separated whatever the platform) that matches an include glob and no exclude glob (see
/// <see cref="Glob"/>); with recursive off, only files directly in it. Case-sensitive where file
/// systems usually are (Linux), insensitive on Windows and macOS.
/// </summary>
internal sealed class FilePathFilter
{
    private readonly Regex[] _include;
    private readonly Regex[] _exclude;
    private readonly bool _recursive;

    public FilePathFilter(IReadOnlyList<string> include, IReadOnlyList<string> exclude, bool recursive)
    {
        var ignoreCase = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS();
        _include = [.. include.Select(p => Glob.Compile(p, ignoreCase))];
        _exclude = [.. exclude.Select(p => Glob.Compile(p, ignoreCase))];
        _recursive = recursive;
    }

    /// <summary>True when a file at <paramref name="relativePath"/> is watched.</summary>
    public bool Matches(string relativePath) =>
        relativePath.Length > 0
        && relativePath != ".."
        && !relativePath.StartsWith("../", StringComparison.Ordinal)
        && (_recursive || !relativePath.Contains('/', StringComparison.Ordinal))
        && _include.Any(g => g.IsMatch(relativePath))
        && !_exclude.Any(g => g.IsMatch(relativePath));
}

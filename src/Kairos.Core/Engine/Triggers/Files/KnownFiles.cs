using Kairos.Storage;

namespace Kairos.Engine.Triggers.Files;

/// <summary>
/// The last recorded state of a trigger's files (a copy of what the store holds), with the lookups
/// a watcher needs: by path, and every path under a directory (a directory deleted or moved away).
/// </summary>
internal sealed class KnownFiles
{
    private readonly Dictionary<string, FileSnapshot> _files = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _paths = new(StringComparer.Ordinal);

    public int Count => _files.Count;

    public IEnumerable<string> Paths => _paths;

    public FileSnapshot? Get(string path) => _files.GetValueOrDefault(path);

    public void Set(FileSnapshot file)
    {
        _files[file.Path] = file;
        _paths.Add(file.Path);
    }

    public void Remove(string path)
    {
        _files.Remove(path);
        _paths.Remove(path);
    }

    /// <summary>Known paths inside <paramref name="directory"/>, at any depth.</summary>
    public IReadOnlyList<string> Under(string directory)
    {
        var prefix = directory + Path.DirectorySeparatorChar;
        // Every string that starts with the prefix sorts between the prefix and the prefix followed by the highest char.
        return _paths.GetViewBetween(prefix, prefix + char.MaxValue).Where(p => p.StartsWith(prefix, StringComparison.Ordinal)).ToList();
    }

    /// <summary>Same size and mtime (both null: both absent).</summary>
    public static bool Same(FileSnapshot? a, FileSnapshot? b) =>
        a is null ? b is null : b is not null && a.Size == b.Size && a.ModifiedAt == b.ModifiedAt;
}

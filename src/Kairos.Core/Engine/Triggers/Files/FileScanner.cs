using Kairos.Storage;

namespace Kairos.Engine.Triggers.Files;

/// <summary>
/// What a scan of a watched directory found. <see cref="RootMissing"/>: the directory does not
/// exist (so it holds no files); <see cref="RootError"/>: it could not be read (nothing is known).
/// Files under <see cref="UnreadableDirectories"/> are unknown, not gone.
/// </summary>
internal sealed record FileScan(
    IReadOnlyDictionary<string, FileSnapshot> Files,
    IReadOnlyList<string> UnreadableDirectories,
    bool RootMissing,
    Exception? RootError)
{
    /// <summary>True when <paramref name="path"/> lies in a directory the scan could not read.</summary>
    public bool IsUnknown(string path) =>
        UnreadableDirectories.Any(d => path.StartsWith(d + Path.DirectorySeparatorChar, StringComparison.Ordinal));
}

/// <summary>Reads files' size and mtime (to the millisecond, as stored) and walks watched directories.</summary>
internal static class FileScanner
{
    private static readonly EnumerationOptions OneLevel = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
        AttributesToSkip = 0, // Hidden files are files too; exclude them with a glob if wanted.
        ReturnSpecialDirectories = false,
    };

    /// <summary>The file's current size and mtime; null when there is no file there (or it is a directory).</summary>
    public static FileSnapshot? Stat(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? Snapshot(info) : null;
    }

    public static FileSnapshot Snapshot(FileInfo info) => new(info.FullName, info.Length, Truncate(info.LastWriteTimeUtc));

    /// <summary>Milliseconds, the precision the store keeps, so a stored and a fresh mtime compare equal.</summary>
    public static DateTimeOffset Truncate(DateTime utc) =>
        DateTimeOffset.FromUnixTimeMilliseconds(new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToUnixTimeMilliseconds());

    /// <summary>The '/'-separated path of <paramref name="path"/> relative to <paramref name="root"/>.</summary>
    public static string Relative(string root, string path) =>
        Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>
    /// Every watched file at or below <paramref name="start"/> (the root or a directory under it).
    /// Symbolic links to directories are not followed (no cycles); subdirectories are entered only when
    /// <paramref name="recursive"/> is true.
    /// </summary>
    public static FileScan Scan(string root, string start, FilePathFilter filter, bool recursive)
    {
        var files = new Dictionary<string, FileSnapshot>(StringComparer.Ordinal);
        var unreadable = new List<string>();
        var directories = new Stack<string>();
        directories.Push(start);
        while (directories.TryPop(out var directory))
        {
            var found = new List<FileSnapshot>();
            var below = new List<string>();
            try
            {
                foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", OneLevel))
                {
                    if (entry is FileInfo file)
                    {
                        if (filter.Matches(Relative(root, file.FullName)))
                        {
                            found.Add(Snapshot(file));
                        }
                    }
                    else if (recursive && entry.LinkTarget is null)
                    {
                        below.Add(entry.FullName);
                    }
                }
            }
            catch (DirectoryNotFoundException)
            {
                if (directory == start)
                {
                    return new FileScan(files, unreadable, RootMissing: directory == root, RootError: null);
                }
                continue; // Removed while we walked: it holds nothing now.
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
            {
                if (directory == start)
                {
                    return new FileScan(files, [start], RootMissing: false, RootError: ex);
                }
                unreadable.Add(directory);
                continue;
            }
            foreach (var file in found)
            {
                files[file.Path] = file;
            }
            foreach (var sub in below)
            {
                directories.Push(sub);
            }
        }
        return new FileScan(files, unreadable, RootMissing: false, RootError: null);
    }
}

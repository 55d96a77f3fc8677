namespace Kairos.Engine.Triggers.Files;

/// <summary>
/// What an OS notification says: look at a path (the watcher stats it itself), a path renamed from
/// another, or that notifications were lost (buffer overflow, watcher error) so only a full scan can
/// tell what changed. <see cref="Arrived"/>: the path was created or renamed there, so a directory at
/// that path is new and its files are looked at too (a directory that merely changed is not rescanned).
/// </summary>
internal readonly record struct FileHint(string? Path, string? OldPath, bool Arrived, Exception? Lost)
{
    public static FileHint Look(string path, bool arrived = false) => new(path, null, arrived, null);

    public static FileHint Renamed(string oldPath, string path) => new(path, oldPath, true, null);

    public static FileHint Overflow(Exception error) => new(null, null, false, error);
}

/// <summary>
/// A <see cref="FileSystemWatcher"/> on the watched directory that turns every event into a
/// <see cref="FileHint"/>. Hints are only hints: the watcher stats the file itself, and the periodic
/// reconcile scan makes up for notifications the OS drops.
/// </summary>
internal sealed class FileNotifier : IDisposable
{
    private readonly FileSystemWatcher _watcher;

    /// <summary>Starts watching; throws when the directory is missing or the OS refuses a watch (e.g. inotify limits).</summary>
    public FileNotifier(string directory, bool recursive, Action<FileHint> hint)
    {
        _watcher = new FileSystemWatcher(directory)
        {
            IncludeSubdirectories = recursive,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            InternalBufferSize = 64 * 1024,
        };
        _watcher.Created += (_, e) => hint(FileHint.Look(e.FullPath, arrived: true));
        _watcher.Changed += (_, e) => hint(FileHint.Look(e.FullPath));
        _watcher.Deleted += (_, e) => hint(FileHint.Look(e.FullPath));
        _watcher.Renamed += (_, e) => hint(FileHint.Renamed(e.OldFullPath, e.FullPath));
        _watcher.Error += (_, e) => hint(FileHint.Overflow(e.GetException()));
        try
        {
            _watcher.EnableRaisingEvents = true;
        }
        catch
        {
            _watcher.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _watcher.EnableRaisingEvents = false;
        _watcher.Dispose();
    }
}

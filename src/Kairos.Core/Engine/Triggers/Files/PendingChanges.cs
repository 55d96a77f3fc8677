using Kairos.Storage;

namespace Kairos.Engine.Triggers.Files;

/// <summary>A path seen to differ from its recorded state, waiting to settle.</summary>
internal sealed class PendingChange(string path)
{
    public string Path { get; } = path;

    /// <summary>What the path held at the last look (null: no file).</summary>
    public FileSnapshot? Seen { get; set; }

    /// <summary>When <see cref="Seen"/> was last found different (engine clock).</summary>
    public DateTimeOffset StableSince { get; set; }

    /// <summary>When an OS notification about this path first arrived (engine clock); null if only a scan saw it.</summary>
    public DateTimeOffset? NotifiedAt { get; set; }

    /// <summary>A notification said this file was renamed from that path.</summary>
    public string? RenamedFrom { get; set; }

    /// <summary>A notification said this path was renamed to that one.</summary>
    public string? RenamedTo { get; set; }
}

/// <summary>
/// Settling: a path is decided only once what it holds (no file, or a size and mtime) has stayed
/// the same for the settle time, checked by looking again when the time is up, so a file still being
/// written is never picked up half-way. Times are the engine clock's.
/// </summary>
internal sealed class PendingChanges(TimeSpan settle)
{
    private readonly Dictionary<string, PendingChange> _items = new(StringComparer.Ordinal);

    public int Count => _items.Count;

    public bool Contains(string path) => _items.ContainsKey(path);

    public PendingChange? Get(string path) => _items.GetValueOrDefault(path);

    /// <summary>The earliest time a pending path may settle; null when nothing is pending.</summary>
    public DateTimeOffset? NextDue => _items.Count == 0 ? null : _items.Values.Min(p => p.StableSince) + settle;

    /// <summary>Notes what a path holds now; <paramref name="at"/> is read after looking at the file.</summary>
    public PendingChange Observe(string path, FileSnapshot? seen, DateTimeOffset at, bool notified)
    {
        if (!_items.TryGetValue(path, out var item))
        {
            item = new PendingChange(path) { Seen = seen, StableSince = at };
            _items[path] = item;
        }
        else if (!KnownFiles.Same(item.Seen, seen))
        {
            item.Seen = seen;
            item.StableSince = at;
        }
        if (notified)
        {
            item.NotifiedAt ??= at;
        }
        return item;
    }

    public void Remove(string path) => _items.Remove(path);

    /// <summary>
    /// The paths whose settle time is up and that still hold what was last seen (looked at again with
    /// <paramref name="stat"/>). A path that changed meanwhile starts settling again. The old side of a
    /// notified rename waits for the new side, so the two are decided together.
    /// </summary>
    public List<PendingChange> TakeSettled(DateTimeOffset now, Func<string, FileSnapshot?> stat, Func<DateTimeOffset> clock)
    {
        var settled = new List<PendingChange>();
        foreach (var item in _items.Values.Where(i => i.StableSince + settle <= now).ToList())
        {
            var fresh = stat(item.Path);
            if (!KnownFiles.Same(fresh, item.Seen))
            {
                item.Seen = fresh;
                if (settle > TimeSpan.Zero)
                {
                    item.StableSince = clock();
                    continue;
                }
            }
            settled.Add(item);
        }
        var taken = settled.Select(s => s.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var item in settled.ToList())
        {
            if (item.RenamedTo is { } to && !taken.Contains(to) && _items.TryGetValue(to, out var target))
            {
                // Due again together with the new side of the rename.
                item.StableSince = item.StableSince > target.StableSince ? item.StableSince : target.StableSince;
                settled.Remove(item);
            }
        }
        foreach (var item in settled)
        {
            _items.Remove(item.Path);
        }
        return settled;
    }
}

using Kairos.Model;
using Kairos.Storage;

namespace Kairos.Engine.Triggers.Files;

/// <summary>
/// Turns settled paths into changes against the recorded state: no file before and now →
/// created; different size or mtime → changed; gone → deleted. Renames: a notified rename whose
/// old path is gone is one renamed change; otherwise a path that vanished and one that appeared
/// (or changed) in the same batch with the same size and mtime, matching no other path, are paired
/// as a rename too, since a move keeps both. This is how renames made while Kairos was down, or
/// whose notification was lost, come out the same as renames seen live.
/// </summary>
internal static class ChangeBuilder
{
    public static List<FileChange> Build(IReadOnlyList<PendingChange> settled, KnownFiles known)
    {
        var deleted = new Dictionary<string, (PendingChange Item, FileSnapshot Before)>(StringComparer.Ordinal);
        var appeared = new List<(PendingChange Item, FileSnapshot Now, FileSnapshot? Before)>();
        foreach (var item in settled)
        {
            var before = known.Get(item.Path);
            if (KnownFiles.Same(before, item.Seen))
            {
                continue;
            }
            if (item.Seen is null)
            {
                deleted[item.Path] = (item, before!);
            }
            else
            {
                appeared.Add((item, item.Seen, before));
            }
        }

        var changes = new List<FileChange>();
        var paired = new HashSet<PendingChange>();
        foreach (var (item, now, _) in appeared)
        {
            if (item.RenamedFrom is { } from && deleted.Remove(from, out var old))
            {
                changes.Add(new FileChange(FileChangeKind.Renamed, item.Path, now, old.Before, from, Earliest(item.NotifiedAt, old.Item.NotifiedAt)));
                paired.Add(item);
            }
        }
        var vanishedByState = deleted.Values.GroupBy(d => (d.Before.Size, d.Before.ModifiedAt)).Where(g => g.Count() == 1).ToDictionary(g => g.Key, g => g.Single());
        var appearedByState = appeared.Where(a => !paired.Contains(a.Item)).GroupBy(a => (a.Now.Size, a.Now.ModifiedAt)).Where(g => g.Count() == 1).ToDictionary(g => g.Key, g => g.Single());
        foreach (var (state, arrival) in appearedByState)
        {
            if (vanishedByState.TryGetValue(state, out var old) && deleted.Remove(old.Item.Path))
            {
                changes.Add(new FileChange(FileChangeKind.Renamed, arrival.Item.Path, arrival.Now, old.Before, old.Item.Path, Earliest(arrival.Item.NotifiedAt, old.Item.NotifiedAt)));
                paired.Add(arrival.Item);
            }
        }
        foreach (var (item, now, before) in appeared.Where(a => !paired.Contains(a.Item)))
        {
            changes.Add(new FileChange(before is null ? FileChangeKind.Created : FileChangeKind.Changed, item.Path, now, before, null, item.NotifiedAt));
        }
        foreach (var (item, before) in deleted.Values)
        {
            changes.Add(new FileChange(FileChangeKind.Deleted, item.Path, null, before, null, item.NotifiedAt));
        }
        return [.. changes.OrderBy(c => c.Path, StringComparer.Ordinal)];
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : (a < b ? a : b);
}

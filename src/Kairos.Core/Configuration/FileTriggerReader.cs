using Kairos.Model;
using YamlDotNet.RepresentationModel;

namespace Kairos.Configuration;

/// <summary>Reads a <c>file: DIRECTORY</c> trigger and its options.</summary>
internal static class FileTriggerReader
{
    public static FileTriggerSpec? Read(Dictionary<string, YamlNode> f, YamlNodes nodes)
    {
        var path = nodes.String(f["file"], "file (the directory to watch)");
        if (path is null)
        {
            return null;
        }
        if (!System.IO.Path.IsPathFullyQualified(path))
        {
            nodes.Error(f["file"], $"file '{path}' must be an absolute directory path");
            return null;
        }
        var spec = new FileTriggerSpec(path);
        if (f.TryGetValue("include", out var include))
        {
            spec = spec with { Include = Globs(include, "include", nodes) };
        }
        if (f.TryGetValue("exclude", out var exclude))
        {
            spec = spec with { Exclude = Globs(exclude, "exclude", nodes) };
        }
        if (f.TryGetValue("recursive", out var recursive))
        {
            spec = spec with { Recursive = nodes.Bool(recursive, "recursive") ?? true };
        }
        if (f.TryGetValue("events", out var events))
        {
            var kinds = nodes.Sequence(events, "events")
                .Select(e => nodes.Enum(e, "a file event", ("created", FileChangeKind.Created), ("changed", FileChangeKind.Changed),
                    ("deleted", FileChangeKind.Deleted), ("renamed", FileChangeKind.Renamed)))
                .OfType<FileChangeKind>()
                .Distinct()
                .ToList();
            if (kinds.Count == 0)
            {
                nodes.Error(events, "events must list at least one of: created, changed, deleted, renamed");
            }
            spec = spec with { Events = kinds };
        }
        if (f.TryGetValue("settle", out var settle))
        {
            spec = spec with { Settle = nodes.TimerDuration(settle, "settle") ?? spec.Settle };
        }
        if (f.TryGetValue("reconcile", out var reconcile))
        {
            spec = spec with { Reconcile = nodes.TimerDuration(reconcile, "reconcile") ?? spec.Reconcile };
        }
        if (f.TryGetValue("allowConcurrent", out var concurrent))
        {
            spec = spec with { AllowConcurrent = nodes.Bool(concurrent, "allowConcurrent") ?? true };
        }
        if (f.TryGetValue("ignoreOwnChanges", out var own))
        {
            spec = spec with { IgnoreOwnChanges = nodes.Bool(own, "ignoreOwnChanges") ?? true };
        }
        return spec;
    }

    private static List<string> Globs(YamlNode node, string what, YamlNodes nodes) =>
        node is YamlScalarNode
            ? [nodes.String(node, what) ?? "**/*"]
            : nodes.Sequence(node, what).Select(n => nodes.String(n, $"a {what} glob")).OfType<string>().ToList();
}

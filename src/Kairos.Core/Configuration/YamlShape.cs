using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Kairos.Configuration;

/// <summary>
/// Checks a YAML file's shape before it is turned into nodes, reading its events one by one (no
/// recursion, nothing kept but a stack of open collections):
/// <list type="bullet">
/// <item>one document only: a second one (after <c>---</c>) would be silently ignored;</item>
/// <item>at most <see cref="MaxDepth"/> nested collections: deeper nesting is never a configuration,
/// and code that walks nodes recursively would run out of stack;</item>
/// <item>aliases (<c>*name</c>) that expand to at most <see cref="MaxAliasExpansion"/> nodes and
/// characters in all: a few hundred bytes of nested aliases ("billion laughs") otherwise expand to
/// gigabytes wherever the tree is copied, e.g. into a JSON payload.</item>
/// </list>
/// </summary>
internal static class YamlShape
{
    public const int MaxDepth = 64;
    public const long MaxAliasExpansion = 100_000;

    /// <summary>The first problem found, or null. Malformed YAML throws <see cref="YamlException"/> as the parser does.</summary>
    public static ConfigError? FindProblem(IParser parser)
    {
        var open = new Stack<(string? Anchor, long Size)>(); // Collections not yet closed, with their expanded size so far.
        var anchors = new Dictionary<string, long>(StringComparer.Ordinal); // Expanded size of each anchored node.
        var expandedByAliases = 0L;
        var documents = 0;
        while (parser.MoveNext())
        {
            var current = parser.Current!;
            switch (current)
            {
                case DocumentStart when ++documents > 1:
                    return At(current, "a second YAML document starts here; a Kairos file holds one document (remove the '---' or split the file)");
                case MappingStart or SequenceStart when open.Count >= MaxDepth:
                    return At(current, $"the YAML is nested more than {MaxDepth} levels deep here");
                case MappingStart or SequenceStart:
                    open.Push((((NodeEvent)current).Anchor.IsEmpty ? null : ((NodeEvent)current).Anchor.Value, 1));
                    break;
                case MappingEnd or SequenceEnd:
                    var (anchor, size) = open.Pop();
                    Completed(anchor, size);
                    break;
                case Scalar scalar:
                    Completed(scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value, 1 + scalar.Value.Length);
                    break;
                case AnchorAlias alias when !anchors.ContainsKey(alias.Value.Value):
                    return At(current, $"alias *{alias.Value.Value} refers to no anchor &{alias.Value.Value} defined above it");
                case AnchorAlias alias:
                    var expanded = anchors[alias.Value.Value];
                    expandedByAliases += expanded;
                    if (expandedByAliases > MaxAliasExpansion)
                    {
                        return At(current, $"the aliases (*name) in this file expand to more than {MaxAliasExpansion.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} nodes and characters; write the values out instead");
                    }
                    Completed(null, expanded);
                    break;
            }
        }
        return null;

        void Completed(string? anchor, long size)
        {
            if (anchor is not null)
            {
                anchors[anchor] = size;
            }
            if (open.Count > 0)
            {
                var (parentAnchor, parentSize) = open.Pop();
                open.Push((parentAnchor, parentSize + size));
            }
        }
    }

    private static ConfigError At(ParsingEvent at, string message) => new((int)at.Start.Line, (int)at.Start.Column, message);
}

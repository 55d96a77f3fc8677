using System.Text;
using System.Text.RegularExpressions;

namespace Kairos.Engine.Triggers.Files;

/// <summary>
/// Glob patterns over '/'-separated relative paths: <c>*</c> any characters within a name,
/// <c>?</c> one character, <c>[abc]</c> / <c>[a-z]</c> / <c>[!abc]</c> one of (or none of) a set,
/// <c>{csv,tsv}</c> alternatives within a name, and <c>**</c> as a whole segment any number of
/// directories (none included): <c>**/*.csv</c> matches <c>a.csv</c> and <c>x/y/a.csv</c>. A leading
/// <c>./</c> or <c>/</c> is ignored; '\' is read as '/'. Wildcards match hidden names too.
/// </summary>
internal static class Glob
{
    private const RegexOptions Linear = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    /// <summary>
    /// A glob over plain text, not a path: <c>*</c> any characters ('/' included), <c>?</c> one
    /// character, everything else literal (event filters' <c>$glob</c>). Like path globs it runs in
    /// time linear in the text: a backtracking pattern such as <c>*a*a*a*b</c> on a long text once
    /// took longer than its timeout inside a run's completion.
    /// </summary>
    public static Regex CompileText(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            Linear | RegexOptions.Singleline);

    public static Regex Compile(string pattern, bool ignoreCase)
    {
        var path = pattern.Replace('\\', '/');
        while (path.StartsWith("./", StringComparison.Ordinal))
        {
            path = path[2..];
        }
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var regex = new StringBuilder("^");
        for (var i = 0; i < segments.Length; i++)
        {
            var last = i == segments.Length - 1;
            if (segments[i] == "**")
            {
                regex.Append(last ? ".*" : "(?:[^/]+/)*");
                continue;
            }
            regex.Append(Name(segments[i]));
            if (!last)
            {
                regex.Append('/');
            }
        }
        regex.Append('$');
        var options = Linear | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
        return new Regex(regex.ToString(), options);
    }

    /// <summary>One path segment's pattern as a regular expression (never matching '/').</summary>
    private static string Name(string segment)
    {
        var regex = new StringBuilder();
        for (var i = 0; i < segment.Length; i++)
        {
            var c = segment[i];
            switch (c)
            {
                case '*':
                    while (i + 1 < segment.Length && segment[i + 1] == '*')
                    {
                        i++;
                    }
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '[' when Close(segment, i, ']', i + 2) is { } end:
                    regex.Append(Set(segment[(i + 1)..end]));
                    i = end;
                    break;
                case '{' when Close(segment, i, '}', i + 1) is { } end:
                    regex.Append("(?:").AppendJoin('|', segment[(i + 1)..end].Split(',').Select(Name)).Append(')');
                    i = end;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        return regex.ToString();
    }

    /// <summary>The index of the closing character, searched from <paramref name="from"/> (a set may start with ']'); null when unclosed.</summary>
    private static int? Close(string segment, int open, char close, int from)
    {
        var end = segment.IndexOf(close, Math.Min(from, segment.Length));
        return end > open ? end : null;
    }

    private static string Set(string body)
    {
        var negated = body.Length > 1 && body[0] is '!' or '^';
        var members = new StringBuilder();
        foreach (var c in negated ? body[1..] : body)
        {
            members.Append(c is '\\' or '[' or ']' or '^' ? "\\" + c : c.ToString());
        }
        return negated ? $"[^/{members}]" : $"[{members}]";
    }
}

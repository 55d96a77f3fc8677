namespace Kairos.Tests.Support;

/// <summary>Lines only in the expected text (-) and only in the actual one (+), in file order: enough to see what changed without a diff tool.</summary>
public static class LineDiff
{
    public static string Of(string expected, string actual)
    {
        var before = expected.Split('\n');
        var after = actual.Split('\n');
        var removed = before.Except(after).Select(l => "- " + l);
        var added = after.Except(before).Select(l => "+ " + l);
        return string.Join("\n", removed.Concat(added));
    }
}

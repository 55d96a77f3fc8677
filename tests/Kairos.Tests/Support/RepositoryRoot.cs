namespace Kairos.Tests.Support;

/// <summary>The checkout's root (where Kairos.sln is), found by walking up from the test assembly.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    public static string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "Kairos.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Kairos.sln not found above " + AppContext.BaseDirectory);
    }
}

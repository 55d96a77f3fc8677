namespace Kairos.Cli.Bench;

/// <summary>
/// Where a benchmark's SQLite file lives: a fresh temp directory deleted afterwards, or a path the
/// user gave with --db, which is kept for inspection. A given path must not exist yet, so every
/// run starts from an empty store and results stay comparable.
/// </summary>
internal sealed class BenchDatabase : IDisposable
{
    private readonly string? _tempDirectory;

    private BenchDatabase(string path, string? tempDirectory)
    {
        Path = path;
        _tempDirectory = tempDirectory;
    }

    public string Path { get; }

    public static BenchDatabase Create(string? givenPath)
    {
        if (givenPath is not null)
        {
            if (File.Exists(givenPath))
            {
                throw new UsageException($"--db '{givenPath}' already exists; benchmarks start from an empty store");
            }
            return new BenchDatabase(givenPath, null);
        }
        var directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kairos-bench-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        return new BenchDatabase(System.IO.Path.Combine(directory, "kairos.db"), directory);
    }

    public void Dispose()
    {
        if (_tempDirectory is not null && Directory.Exists(_tempDirectory))
        {
            Directory.Delete(_tempDirectory, recursive: true);
        }
    }
}

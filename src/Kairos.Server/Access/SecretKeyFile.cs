namespace Kairos.Server.Access;

/// <summary>
/// Where <c>kairos serve</c> gets the keys that encrypt stored secrets: <c>KAIROS_SECRET_KEY</c>
/// (comma-separated, current first) when set, else a key file beside the SQLite database
/// (<c>kairos.db.key</c>), created with a fresh key on first start and readable by its owner only.
/// On PostgreSQL, where nodes must share the key, only the variable is used.
/// </summary>
internal static class SecretKeyFile
{
    public const string Variable = "KAIROS_SECRET_KEY";

    public static IReadOnlyList<string> Keys(string databasePath, bool postgres)
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } keys)
        {
            return keys.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        if (postgres)
        {
            return [];
        }
        var path = Path.GetFullPath(databasePath) + ".key";
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            try
            {
                using var writer = new StreamWriter(path, options);
                writer.WriteLine(Kairos.Secrets.SecretCipher.NewKey());
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another node on the same file made it first: use theirs.
            }
        }
        return File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
    }
}

using Npgsql;

namespace Kairos.Storage.Postgres;

/// <summary>
/// What <c>--db</c> may say for PostgreSQL: a URL (<c>postgres://user:pass@host:port/db?schema=kairos</c>)
/// or an Npgsql connection string (<c>Host=…;Database=…</c>). Anything else is a SQLite file path.
/// </summary>
internal static class PostgresConnectionStrings
{
    public static bool IsPostgres(string db) =>
        db.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
        || db.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || db.Contains("Host=", StringComparison.OrdinalIgnoreCase);

    /// <summary>The Npgsql connection string and the schema (from <c>?schema=</c>, or <c>Search Path</c>, else the default).</summary>
    public static (string ConnectionString, string Schema) Parse(string db)
    {
        if (!db.Contains("://", StringComparison.Ordinal))
        {
            var given = new NpgsqlConnectionStringBuilder(db);
            var schema = string.IsNullOrEmpty(given.SearchPath) ? PostgresStore.DefaultSchema : given.SearchPath;
            given.SearchPath = null;
            return (given.ConnectionString, schema);
        }
        if (!Uri.TryCreate(db, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new KairosValidationException($"--db '{Redacted(db)}' is not a PostgreSQL URL such as postgres://user:password@127.0.0.1:5432/kairos");
        }
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = uri.AbsolutePath.Trim('/') is { Length: > 0 } database ? Uri.UnescapeDataString(database) : "postgres",
        };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(parts[1]);
            }
        }
        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        return (builder.ConnectionString, query["schema"] ?? PostgresStore.DefaultSchema);
    }

    /// <summary>The URL or connection string without its password, for messages.</summary>
    public static string Redacted(string db)
    {
        if (Uri.TryCreate(db, UriKind.Absolute, out var uri) && uri.UserInfo.Contains(':', StringComparison.Ordinal))
        {
            return db.Replace(uri.UserInfo, uri.UserInfo.Split(':')[0] + ":***", StringComparison.Ordinal);
        }
        if (!db.Contains("://", StringComparison.Ordinal) && db.Contains("Password", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return new NpgsqlConnectionStringBuilder(db) { Password = "***" }.ConnectionString;
            }
            catch (ArgumentException)
            {
                return "(a connection string)";
            }
        }
        return db;
    }
}

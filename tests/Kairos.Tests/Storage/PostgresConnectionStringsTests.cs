using Kairos.Storage.Postgres;
using Kairos.Tests.Support;
using Npgsql;

namespace Kairos.Tests.Storage;

/// <summary>What <c>kairos serve --db</c> accepts for PostgreSQL, and that passwords stay out of messages.</summary>
public sealed class PostgresConnectionStringsTests
{
    [Theory]
    [InlineData("postgres://u:p@db.local:6543/jobs?schema=kairos_a", "db.local", 6543, "jobs", "u", "p", "kairos_a")]
    [InlineData("postgresql://db.local/jobs", "db.local", 5432, "jobs", null, null, "kairos")]
    [InlineData("Host=db.local;Port=6000;Database=x;Username=u;Search Path=k2", "db.local", 6000, "x", "u", null, "k2")]
    public void Urls_and_connection_strings_are_understood(string db, string host, int port, string database, string? user, string? password, string schema)
    {
        Assert.True(PostgresConnectionStrings.IsPostgres(db));
        var (connectionString, parsedSchema) = PostgresConnectionStrings.Parse(db);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Assert.Equal((host, port, database, user, password, schema), (builder.Host, builder.Port, builder.Database, builder.Username, builder.Password, parsedSchema));
    }

    [Fact]
    public void File_paths_are_sqlite_and_passwords_are_redacted()
    {
        Assert.False(PostgresConnectionStrings.IsPostgres("kairos.db"));
        Assert.False(PostgresConnectionStrings.IsPostgres("/var/lib/kairos/kairos.db"));
        Assert.DoesNotContain("s3cret", PostgresConnectionStrings.Redacted("postgres://u:s3cret@h/db"));
        Assert.DoesNotContain("s3cret", PostgresConnectionStrings.Redacted("Host=h;Password=s3cret"));
    }
}

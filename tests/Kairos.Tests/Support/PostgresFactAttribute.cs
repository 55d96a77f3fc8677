namespace Kairos.Tests.Support;

/// <summary>
/// A test that needs the PostgreSQL server scripts/test starts (KAIROS_TEST_POSTGRES). Without one
/// it is reported as skipped, with the reason, never silently passed.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public static string? ConnectionString => Environment.GetEnvironmentVariable("KAIROS_TEST_POSTGRES");

    public PostgresFactAttribute()
    {
        if (string.IsNullOrEmpty(ConnectionString))
        {
            Skip = "no PostgreSQL test server: KAIROS_TEST_POSTGRES is not set (scripts/test starts one when PostgreSQL is installed or installable)";
        }
    }
}

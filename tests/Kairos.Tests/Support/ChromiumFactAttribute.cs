namespace Kairos.Tests.Support;

/// <summary>
/// A browser test: it needs Debian's Chromium (<see cref="ExecutablePath"/>, installed by scripts/test
/// when we are root). Without it the test is reported as skipped, with the reason, never silently passed.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    /// <summary>KAIROS_TEST_CHROMIUM when set, else Debian's <c>/usr/bin/chromium</c>.</summary>
    public static string ExecutablePath => Environment.GetEnvironmentVariable("KAIROS_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(ExecutablePath))
        {
            Skip = $"no Chromium at {ExecutablePath}: install Debian's chromium package (scripts/test does when run as root) or set KAIROS_TEST_CHROMIUM";
        }
    }
}

using Kairos.Tests.Support;

namespace Kairos.Tests.EndToEnd;

/// <summary>The README's first command: <c>kairos serve --config examples/kairos.yaml</c> starts on a fresh machine, with nothing set in the environment.</summary>
public sealed class ExampleConfigTests
{
    [Fact]
    public async Task The_example_file_serves_its_jobs_with_nothing_set_in_the_environment()
    {
        using var directory = new TempDirectory();
        var example = Path.Combine(KairosServerProcess.RepoRoot, "examples", "kairos.yaml");

        await using var server = await KairosServerProcess.StartAsync(example, directory.File("kairos.db"));
        var jobs = (await server.GetJsonAsync("api/jobs")).AsArray().Select(j => (string)j!["name"]!).ToList();

        Assert.Contains("weekday-report", jobs);
        Assert.Contains("deploy", jobs);
    }
}

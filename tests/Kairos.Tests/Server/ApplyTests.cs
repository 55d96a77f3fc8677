using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Kairos.Access;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary><c>kairos diff</c> (with the fields an update changes) and <c>kairos apply</c> against a running server: declarative, and API objects kept apart.</summary>
public sealed class ApplyTests
{
    private const string Served = """
        jobs:
          kept:
            handler: noop
          old:
            handler: noop
        """;

    private const string Applied = """
        jobs:
          kept:
            handler: noop
            priority: 9
          fresh:
            handler: echo
        webhooks:
          inbox: {}
        """;

    private static Task<(int Exit, string Output, string Error)> CliAsync(params string[] args) => CliRunner.RunAsync(args);

    [Fact]
    public async Task Diff_says_what_apply_then_does_and_objects_created_through_the_api_are_left_alone()
    {
        await using var server = await InProcessServer.StartAsync(Served);
        using (var put = await server.Http.PutAsJsonAsync("/api/jobs/from-api", new { handler = "noop" }))
        {
            put.EnsureSuccessStatusCode();
        }
        var file = server.Directory.File("next.yaml");
        await File.WriteAllTextAsync(file, Applied);

        var (diffExit, diff, _) = await CliAsync("diff", file, "--server", server.Url);
        var jobsAfterDiff = (await server.Client.ListJobsAsync()).Select(j => j.Definition.Name).Order().ToList();
        var (applyExit, applied, _) = await CliAsync("apply", file, "--server", server.Url);
        var (againExit, again, _) = await CliAsync("apply", file, "--server", server.Url);

        Assert.Equal(0, diffExit);
        Assert.Equal(["+ webhook inbox", "~ job kept", "priority: 5 -> 9", "+ job fresh", "- job old", "4 change(s) would be made, 0 unchanged"],
            diff.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal(["from-api", "kept", "old"], jobsAfterDiff);
        Assert.Equal(0, applyExit);
        Assert.Contains("4 change(s) made", applied);
        Assert.Equal(["fresh", "from-api", "kept"], (await server.Client.ListJobsAsync()).Select(j => j.Definition.Name).Order());
        Assert.Equal(9, (await server.Client.GetJobAsync("kept"))!.Definition.Priority);
        Assert.Equal(0, againExit);
        Assert.Contains("nothing to change (3 unchanged)", again);
    }

    [Fact]
    public async Task Apply_is_refused_to_a_key_bound_to_a_namespace_and_a_bad_file_is_a_400_with_its_positions()
    {
        await using var server = await InProcessServer.StartAsync(Served);
        var bound = (await server.Client.CreateApiKeyAsync("team", KairosScope.Write, namespaces: ["team"])).Token;
        var root = (await server.Client.CreateApiKeyAsync("root", KairosScope.Write)).Token;

        using var refused = await PostAsync(server, bound, Applied);
        using var bad = await PostAsync(server, root, "jobs:\n  x:\n    handler: noop\n    priorty: 3\n");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("4:5: unknown key 'priorty'", await bad.Content.ReadAsStringAsync());
        Assert.Equal(["kept", "old"], (await server.Client.ListJobsAsync()).Select(j => j.Definition.Name).Order());
    }

    private static async Task<HttpResponseMessage> PostAsync(InProcessServer server, string token, string yaml)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/apply") { Content = new StringContent(yaml) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/yaml");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await server.Http.SendAsync(request);
    }

    [Fact]
    public async Task A_dry_run_of_a_file_with_command_jobs_says_what_would_change_but_applying_it_needs_what_saving_them_needs()
    {
        await using var server = await InProcessServer.StartAsync(Served);
        var file = server.Directory.File("commands.yaml");
        await File.WriteAllTextAsync(file, "jobs:\n  shell:\n    command: [\"/bin/true\"]\n");

        var (diffExit, diff, _) = await CliAsync("diff", file, "--server", server.Url);
        var (applyExit, _, applyError) = await CliAsync("apply", file, "--server", server.Url);

        Assert.Equal(0, diffExit);
        Assert.Contains("+ job shell", diff);
        Assert.NotEqual(0, applyExit);
        Assert.Contains("api.allowCommandJobs", applyError);
        Assert.Null(await server.Client.GetJobAsync("shell"));
    }

    [Fact]
    public async Task An_empty_file_is_refused_rather_than_deleting_everything_it_declared()
    {
        await using var server = await InProcessServer.StartAsync(Served);
        var file = server.Directory.File("empty.yaml");
        await File.WriteAllTextAsync(file, "# truncated\n");

        var (exit, _, error) = await CliAsync("apply", file, "--server", server.Url);

        Assert.NotEqual(0, exit);
        Assert.Contains("declares no jobs, webhooks or subscriptions", error);
        Assert.Equal(["kept", "old"], (await server.Client.ListJobsAsync()).Select(j => j.Definition.Name).Order());
    }
}

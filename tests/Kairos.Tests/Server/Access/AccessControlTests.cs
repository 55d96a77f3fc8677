using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Kairos.Access;
using Kairos.Server;
using Kairos.Server.Access;
using Kairos.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Tests.Server.Access;

/// <summary>API keys, loopback-only without keys, Host and Origin checks, and commands over the API: what an attacker tried on main.</summary>
public sealed class AccessControlTests
{
    private const string Nap = "jobs:\n  nap:\n    handler: echo\n";

    // The attack from the issue: a command job created and fired through the API.
    private static readonly object CommandJob = new
    {
        command = new[] { "/bin/sh", "-c", "id > owned.txt" },
        triggers = new[] { new { now = true } },
    };

    [Fact]
    public async Task A_new_server_without_keys_serves_loopback_as_admin_but_refuses_command_jobs_over_the_api()
    {
        await using var server = await InProcessServer.StartAsync(Nap);

        using var list = await server.Http.GetAsync("/api/jobs");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        using var command = await server.Http.PutAsJsonAsync("/api/jobs/owned", CommandJob);

        Assert.Equal(HttpStatusCode.Forbidden, command.StatusCode);
        Assert.Contains("api.allowCommandJobs", await command.Content.ReadAsStringAsync());
        Assert.Null(await server.Client.GetJobAsync("owned"));
    }

    [Fact]
    public async Task With_command_jobs_allowed_only_an_admin_key_may_declare_commands_or_sql_polls()
    {
        await using var server = await InProcessServer.StartAsync("api:\n  allowCommandJobs: true\n" + Nap);
        var admin = (await server.Client.CreateApiKeyAsync("root", KairosScope.Admin)).Token;
        var writer = (await server.Client.CreateApiKeyAsync("ci", KairosScope.Write)).Token;
        var sqlPoll = new
        {
            handler = "echo",
            triggers = new[] { new { every = "1m", poll = new { sql = new { provider = "sqlite", connection = "Data Source=kairos.db", query = "SELECT definition FROM webhooks", watermark = "x" } } } },
        };

        using var byWriter = await SendAsync(server, HttpMethod.Put, "/api/jobs/owned", writer, CommandJob);
        using var sqlByWriter = await SendAsync(server, HttpMethod.Put, "/api/jobs/peek", writer, sqlPoll);
        using var plainByWriter = await SendAsync(server, HttpMethod.Put, "/api/jobs/plain", writer, new { handler = "echo" });
        using var byAdmin = await SendAsync(server, HttpMethod.Put, "/api/jobs/owned", admin, CommandJob);

        Assert.Equal(HttpStatusCode.Forbidden, byWriter.StatusCode);
        Assert.Contains("only an admin key", await byWriter.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, sqlByWriter.StatusCode);
        Assert.Equal(HttpStatusCode.OK, plainByWriter.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
    }

    [Fact]
    public async Task A_revoked_key_stops_working_at_once_and_the_journal_names_it_without_its_secret()
    {
        await using var server = await InProcessServer.StartAsync(Nap);
        var created = await server.Client.CreateApiKeyAsync("laptop", KairosScope.Read);
        await server.Client.CreateApiKeyAsync("root", KairosScope.Admin);

        using (var before = await SendAsync(server, HttpMethod.Get, "/api/jobs", created.Token))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }
        Assert.True(await server.Client.RevokeApiKeyAsync("laptop"));
        using var after = await SendAsync(server, HttpMethod.Get, "/api/jobs", created.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        var journal = await server.Client.ListJournalAsync(new Kairos.Storage.JournalQuery());
        Assert.Contains(journal, e => e.Kind == "key.created" && e.Data!.Contains("\"laptop\""));
        Assert.Contains(journal, e => e.Kind == "key.revoked" && e.Data!.Contains("\"laptop\""));
        var secret = created.Token[(created.Token.LastIndexOf('_') + 1)..];
        Assert.DoesNotContain(journal, e => e.Data?.Contains(secret) == true);
    }

    [Fact]
    public async Task An_expired_key_is_refused_and_a_used_key_shows_when()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await InProcessServer.StartAsync(Nap, kairos => kairos.Services.AddSingleton<TimeProvider>(clock));
        var key = await server.Client.CreateApiKeyAsync("temp", KairosScope.Read, clock.GetUtcNow().AddHours(1));

        using (var fresh = await SendAsync(server, HttpMethod.Get, "/api/stats", key.Token))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }
        Assert.Equal(clock.GetUtcNow().ToUnixTimeMilliseconds(), (await server.Client.ListApiKeysAsync()).Single().LastUsedAt!.Value.ToUnixTimeMilliseconds());
        clock.Advance(TimeSpan.FromHours(2));
        using var expired = await SendAsync(server, HttpMethod.Get, "/api/stats", key.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
    }

    [Fact]
    public async Task A_server_refuses_to_listen_beyond_loopback_until_a_key_exists()
    {
        using var directory = new TempDirectory();
        var database = directory.File("kairos.db");
        var exposed = new ServeOptions { DatabasePath = database, Urls = "http://0.0.0.0:0" };

        await using (var refused = KairosServer.Build(exposed))
        {
            var error = await Assert.ThrowsAsync<ServeRefusedException>(() => refused.StartAsync());
            Assert.Contains("kairos keys create", error.Message);
        }
        var (exit, output, _) = await CliAsync("keys", "create", "root", "--scope", "admin", "--db", database);
        Assert.Equal(0, exit);
        Assert.Contains("kairos_", output);
        await using var started = KairosServer.Build(exposed);
        await started.StartAsync();
        await started.StopAsync();
    }

    [Fact]
    public async Task A_request_naming_another_host_is_refused_so_dns_rebinding_reaches_nothing()
    {
        await using var server = await InProcessServer.StartAsync(Nap);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/jobs");
        request.Headers.Host = "attacker.example";
        using var rebound = await server.Http.SendAsync(request);
        using var local = new HttpRequestMessage(HttpMethod.Get, "/api/jobs");
        local.Headers.Host = "localhost";
        using var named = await server.Http.SendAsync(local);

        Assert.Equal(HttpStatusCode.BadRequest, rebound.StatusCode);
        Assert.Contains("attacker.example", await rebound.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, named.StatusCode);
    }

    [Fact]
    public async Task A_web_page_of_another_site_cannot_run_a_job_with_a_simple_post()
    {
        await using var server = await InProcessServer.StartAsync(Nap);

        using var foreign = new HttpRequestMessage(HttpMethod.Post, "/api/jobs/nap/run") { Content = new StringContent("{}", Encoding.UTF8, "text/plain") };
        foreign.Headers.Add("Origin", "http://attacker.example");
        using var refused = await server.Http.SendAsync(foreign);
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/api/jobs/nap/run");
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var refusedToo = await server.Http.SendAsync(crossSite);
        using var sameOrigin = new HttpRequestMessage(HttpMethod.Post, "/api/jobs/nap/run");
        sameOrigin.Headers.Add("Origin", server.Url);
        using var allowed = await server.Http.SendAsync(sameOrigin);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refusedToo.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, allowed.StatusCode);
        Assert.Single(await server.Client.ListRunsAsync(new Kairos.Storage.RunQuery { JobName = "nap" }));
    }

    [Fact]
    public async Task The_cli_manages_keys_over_the_api_and_uses_one_from_the_environment_or_a_flag()
    {
        await using var server = await InProcessServer.StartAsync(Nap);

        var (exit, output, _) = await CliAsync("keys", "create", "root", "--scope", "admin", "--json", "--server", server.Url);
        Assert.Equal(0, exit);
        var token = JsonNode.Parse(output)!["token"]!.GetValue<string>();
        var (refusedExit, _, refusal) = await CliAsync("jobs", "list", "--server", server.Url);
        var (listExit, list, _) = await CliAsync("keys", "list", "--server", server.Url, "--api-key", token);
        var (revokeExit, _, _) = await CliAsync("keys", "revoke", "root", "--server", server.Url, "--api-key", token);

        Assert.Equal(1, refusedExit);
        Assert.Contains("requires an API key", refusal);
        Assert.Equal(0, listExit);
        Assert.Contains("root", list);
        Assert.Contains("admin", list);
        Assert.Equal(0, revokeExit);
        Assert.Empty(await server.Client.ListApiKeysAsync());
    }

    private static async Task<HttpResponseMessage> SendAsync(InProcessServer server, HttpMethod method, string path, string token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await server.Http.SendAsync(request);
    }

    private static Task<(int Exit, string Output, string Error)> CliAsync(params string[] args) => CliRunner.RunAsync(args);
}

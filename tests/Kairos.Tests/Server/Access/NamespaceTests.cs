using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Kairos.Access;
using Kairos.Configuration;
using Kairos.Events;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server.Access;

/// <summary>
/// Namespaces over real HTTP: a key bound to one namespace cannot see, run or infer anything of
/// another; events reach only subscriptions of their namespace; a webhook fires only jobs of its own.
/// </summary>
public sealed class NamespaceTests
{
    private const string Yaml = """
        jobs:
          shop/nap:
            handler: echo
            triggers:
              - webhook: orders
          billing/nap:
            handler: echo
          billing/invoice:
            handler: echo
        webhooks:
          shop/orders: {}
        """;

    [Fact]
    public async Task A_key_for_one_namespace_cannot_see_run_or_infer_anything_in_another()
    {
        await using var server = await InProcessServer.StartAsync(Yaml);
        var shop = (await server.Client.CreateApiKeyAsync("shop-ci", KairosScope.Write, namespaces: ["shop"])).Token;
        var billingRun = await server.Client.In("billing").RunNowAsync("nap");
        await server.Client.WaitForRunAsync(billingRun.RunId, TimeSpan.FromSeconds(30));

        var jobs = await GetAsync(server, "/api/jobs", shop);
        var own = await GetAsync(server, "/api/jobs/nap", shop);
        var runs = await GetAsync(server, "/api/runs", shop);
        var stats = await GetAsync(server, "/api/stats", shop);

        Assert.Equal(["shop/nap"], jobs.Body!.AsArray().Select(j => j!["name"]!.GetValue<string>()));
        Assert.Equal("shop/nap", own.Body!["name"]!.GetValue<string>());
        Assert.Empty(runs.Body!.AsArray());
        Assert.Equal(1, stats.Body!["jobs"]!.GetValue<int>());
        Assert.Null(stats.Body!["activeRunsOnThisNode"]); // The node runs every namespace's runs: its count would tell of billing's.

        // Another namespace's job, run, and the namespace itself answer exactly as things that do not exist.
        var theirJob = await GetAsync(server, "/api/jobs/billing%2Fnap", shop);
        var noJob = await GetAsync(server, "/api/jobs/billing%2Fnothing", shop);
        var theirRun = await GetAsync(server, $"/api/runs/{billingRun.RunId}", shop);
        var noRun = await GetAsync(server, "/api/runs/999999", shop);
        var theirList = await GetAsync(server, "/api/jobs?namespace=billing", shop);
        var noList = await GetAsync(server, "/api/jobs?namespace=nowhere", shop);
        using var run = await SendAsync(server, HttpMethod.Post, "/api/jobs/nap/run?namespace=billing", shop);
        using var cancel = await SendAsync(server, HttpMethod.Post, $"/api/runs/{billingRun.RunId}/retry", shop);

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (theirJob.Status, noJob.Status));
        Assert.Equal(Detail(noJob), Detail(theirJob));
        Assert.Equal(HttpStatusCode.NotFound, theirRun.Status);
        Assert.Equal(Detail(noRun).Replace("999999", $"{billingRun.RunId}"), Detail(theirRun));
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (theirList.Status, noList.Status));
        Assert.Equal(Detail(noList).Replace("nowhere", "billing"), Detail(theirList));
        Assert.Equal(HttpStatusCode.NotFound, run.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        Assert.Single(await server.Client.ListRunsAsync(new RunQuery()));
    }

    [Fact]
    public async Task A_key_bound_to_namespaces_manages_no_keys_or_secrets_even_as_admin_and_works_in_its_first_unless_told()
    {
        await using var server = await InProcessServer.StartAsync(Yaml);
        var both = (await server.Client.CreateApiKeyAsync("ops", KairosScope.Admin, namespaces: ["shop", "billing"])).Token;

        using var keys = await SendAsync(server, HttpMethod.Get, "/api/keys", both);
        using var secret = await SendAsync(server, HttpMethod.Put, "/api/secrets/token", both, new { value = "s3cret" });
        var unsaid = await GetAsync(server, "/api/jobs", both);
        var billing = await GetAsync(server, "/api/jobs?namespace=billing", both);

        Assert.Equal(HttpStatusCode.Forbidden, keys.StatusCode);
        Assert.Contains("every namespace", await keys.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, secret.StatusCode);
        Assert.Equal(["shop/nap"], unsaid.Body!.AsArray().Select(j => j!["name"]!.GetValue<string>()));
        Assert.Equal(["billing/invoice", "billing/nap"], billing.Body!.AsArray().Select(j => j!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_event_reaches_only_the_subscriptions_of_its_namespace()
    {
        await using var server = await InProcessServer.StartAsync(Yaml);
        var shop = server.Client.In("shop");
        var billing = server.Client.In("billing");
        await shop.SaveSubscriptionAsync(new Subscription("orders", "order.*", "nap"));
        await billing.SaveSubscriptionAsync(new Subscription("orders", "order.*", "invoice"));

        var published = await shop.PublishAsync(new EventRequest("order.created", "test") { Data = "{}" });

        var run = Assert.Single(published.Runs);
        Assert.Equal("shop/nap", (await shop.GetRunAsync(run.RunId))!.JobName);
        Assert.Equal("shop/order.created", (await shop.GetEventAsync(published.EventId))!.Type);
        Assert.Null(await billing.GetEventAsync(published.EventId));
        Assert.Empty(await billing.ListEventsAsync(new EventQuery()));
        var crossing = await Assert.ThrowsAsync<KairosValidationException>(() => shop.SaveSubscriptionAsync(new Subscription("steal", "order.*", "billing/invoice")));
        Assert.Contains("namespace", crossing.Message);
    }

    [Fact]
    public async Task A_webhook_is_served_under_its_namespace_and_fires_only_jobs_of_it()
    {
        await using var server = await InProcessServer.StartAsync(Yaml);

        using var content = JsonContent.Create(new { id = 7 });
        using var delivered = await server.Http.PostAsync("/hooks/shop/orders?wait=30s", content);
        using var unnamespaced = await server.Http.PostAsync("/hooks/orders", JsonContent.Create(new { id = 8 }));

        Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        var runs = (await delivered.Content.ReadFromJsonAsync<JsonObject>())!["runs"]!.AsArray();
        Assert.Equal(["shop/nap"], runs.Select(r => r!["job"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.NotFound, unnamespaced.StatusCode);
    }

    [Fact]
    public void A_file_may_not_reach_across_namespaces()
    {
        const string crossing = """
            jobs:
              shop/nap:
                handler: echo
              billing/after:
                handler: echo
                triggers:
                  - completion: shop/nap
            """;

        var error = Assert.Throws<KairosConfigException>(() => YamlConfigLoader.Load(crossing, "kairos.yaml"));

        Assert.Contains("kairos.yaml:4:3: job 'shop/nap' is in namespace 'shop'", error.Message);
    }

    [Fact]
    public async Task The_cli_binds_a_new_key_to_namespaces_and_works_in_one_with_the_namespace_option()
    {
        await using var server = await InProcessServer.StartAsync(Yaml);
        var (created, output, _) = await CliAsync("keys", "create", "ci", "--scope", "run", "--namespace", "billing,shop", "--server", server.Url);
        var token = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last();

        var (_, _, keysError) = await CliAsync("keys", "list", "--server", server.Url, "--api-key", token);
        var (listed, jobs, _) = await CliAsync("jobs", "list", "--server", server.Url, "--api-key", token, "--namespace", "shop");
        var (refused, _, error) = await CliAsync("jobs", "list", "--server", server.Url, "--api-key", token, "--namespace", "other");

        Assert.Equal(0, created);
        Assert.Contains("in billing, shop", output);
        Assert.Contains("403", keysError);
        Assert.Equal(0, listed);
        Assert.Contains("shop/nap", jobs);
        Assert.DoesNotContain("billing/nap", jobs);
        Assert.NotEqual(0, refused);
        Assert.Contains("namespace 'other' does not exist", error);
        Assert.Equal(["billing", "shop"], (await server.Client.ListApiKeysAsync()).Single().Namespaces);
    }

    [Fact]
    public async Task An_encoded_slash_in_a_key_or_secret_name_is_refused_not_read_as_a_namespace_and_a_name_ending_in_a_line_break_is_refused()
    {
        await using var server = await InProcessServer.StartAsync(Yaml);
        var admin = (await server.Client.CreateApiKeyAsync("root", KairosScope.Admin)).Token;
        var writer = (await server.Client.CreateApiKeyAsync("team", KairosScope.Write)).Token;
        await server.Client.SetSecretAsync("db", "original-value");

        using var secret = await SendAsync(server, HttpMethod.Put, "/api/secrets/billing%2Fdb", admin, new { value = "overwritten" });
        using var key = await SendAsync(server, HttpMethod.Delete, "/api/keys/billing%2Fteam", admin);
        using var lineBreak = await SendAsync(server, HttpMethod.Put, "/api/jobs/nap?namespace=evil%0A", writer, new { handler = "echo" });
        var unknown = await GetAsync(server, "/api/no-such-thing", writer);

        Assert.Equal(HttpStatusCode.BadRequest, secret.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, key.StatusCode);
        Assert.Equal(2, (await server.Client.ListApiKeysAsync()).Count);
        Assert.Equal(HttpStatusCode.BadRequest, lineBreak.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.NotNull(Namespaces.Check("evil\n"));
        Assert.NotNull(Kairos.Model.JobRules.Name("nap\n"));
    }

    private static Task<(int Exit, string Output, string Error)> CliAsync(params string[] args) => CliRunner.RunAsync(args);

    private static string Detail((HttpStatusCode Status, JsonNode? Body) response) => response.Body!["detail"]!.GetValue<string>();

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> GetAsync(InProcessServer server, string path, string token)
    {
        using var response = await SendAsync(server, HttpMethod.Get, path, token);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private static async Task<HttpResponseMessage> SendAsync(InProcessServer server, HttpMethod method, string path, string token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await server.Http.SendAsync(request);
    }
}

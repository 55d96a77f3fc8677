using System.Net;
using Kairos.Access;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server.Dashboard;

/// <summary>
/// The dashboard over plain HTTP on the real server (Kestrel on loopback, a SQLite file): sign-in,
/// antiforgery, scopes, error pages and the live stream, as a browser's requests would meet them.
/// </summary>
public sealed class DashboardHttpTests : IAsyncLifetime
{
    private InProcessServer _server = null!;
    private string _adminKey = null!;
    private string _readKey = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync("""
            jobs:
              report:
                handler: echo
              nap:
                handler: sleep
            """);
        _adminKey = (await _server.Client.CreateApiKeyAsync("ops", KairosScope.Admin)).Token;
        _readKey = (await _server.Client.CreateApiKeyAsync("viewer", KairosScope.Read)).Token;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<DashboardClient> SignedInAsync(string key) => DashboardClient.SignedInAsync(_server.Url, key);

    [Fact]
    public async Task A_wrong_key_gets_the_sign_in_page_again_and_a_good_one_a_protected_cookie_session()
    {
        using var browser = new DashboardClient(_server.Url);

        using var home = await browser.GetAsync("/");
        using var wrong = await browser.SignInAsync("kairos_not-a-key");
        var wrongPage = await wrong.Content.ReadAsStringAsync();
        using var good = await browser.SignInAsync(_adminKey);
        var cookie = string.Join("\n", good.Headers.GetValues("Set-Cookie"));
        var overview = await browser.GetPageAsync("/");

        Assert.Equal((HttpStatusCode.SeeOther, "/signin?then=%2F"), (home.StatusCode, home.Headers.Location?.OriginalString));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("That API key was not accepted", wrongPage);
        Assert.Equal(HttpStatusCode.SeeOther, good.StatusCode);
        Assert.Contains("kairos_session=", cookie);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(_adminKey, cookie); // Encrypted, never the key in clear.
        Assert.Contains("Runs per minute, last hour", overview);
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_refused_and_runs_nothing()
    {
        using var browser = await SignedInAsync(_adminKey);

        using var forged = await browser.PostAsync("/job/run", ("name", "report"), ("payload", "{}"));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("This form did not come from this dashboard", await forged.Content.ReadAsStringAsync());
        Assert.Empty(await _server.Client.ListRunsAsync(new RunQuery { JobName = "report" }));
    }

    [Fact]
    public async Task A_read_only_keys_post_with_a_valid_token_is_refused_with_a_403_page()
    {
        using var browser = await SignedInAsync(_readKey);
        var token = await browser.TokenAsync("/job?name=nap");

        using var forged = await browser.PostAsync("/job/run", ("_token", token), ("name", "nap"), ("payload", "{}"));

        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Contains("This needs a key with scope run", await forged.Content.ReadAsStringAsync());
        Assert.Empty(await _server.Client.ListRunsAsync(new RunQuery { JobName = "nap" }));
    }

    [Fact]
    public async Task A_payload_that_is_not_json_comes_back_with_where_it_breaks_and_the_text_as_typed()
    {
        using var browser = await SignedInAsync(_adminKey);
        var token = await browser.TokenAsync("/job?name=nap");

        using var response = await browser.PostAsync("/job/run", ("_token", token), ("name", "nap"), ("payload", "{\"ms\": 10,}"));
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("The payload is not valid JSON: line 1, position 11.", page);
        Assert.Contains(">{&quot;ms&quot;: 10,}</textarea>", page);
        Assert.Empty(await _server.Client.ListRunsAsync(new RunQuery { JobName = "nap" }));
    }

    [Fact]
    public async Task The_jobs_list_filtered_by_last_run_shows_only_the_jobs_whose_newest_run_ended_so()
    {
        using var browser = await SignedInAsync(_readKey);
        await _server.Client.WaitForRunAsync((await _server.Client.RunNowAsync("report")).RunId, TimeSpan.FromSeconds(15));

        var page = await browser.GetPageAsync("/jobs?last=succeeded");

        Assert.Contains(">report</a>", page);
        Assert.DoesNotContain(">nap</a>", page);
    }

    [Fact]
    public async Task An_unknown_job_or_run_gets_a_404_page_that_shows_the_name_as_text()
    {
        using var browser = await SignedInAsync(_readKey);

        using var job = await browser.GetAsync("/job?name=" + Uri.EscapeDataString("<script>alert(1)</script>"));
        using var run = await browser.GetAsync("/runs/not-a-number");
        var page = await job.Content.ReadAsStringAsync();

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (job.StatusCode, run.StatusCode));
        Assert.Equal("text/html", job.Content.Headers.ContentType?.MediaType);
        Assert.Contains("There is no job named &#x27;&lt;script&gt;alert(1)&lt;/script&gt;&#x27;", page);
        Assert.DoesNotContain("<script>alert", page);
    }

    [Theory]
    [InlineData("/runs?state=sideways", "state &#x27;sideways&#x27; is not one of")]
    [InlineData("/runs?before=-3", "before &#x27;-3&#x27; is not a run id")]
    [InlineData("/jobs?paused=perhaps", "paused &#x27;perhaps&#x27; is not one of any, yes, no")]
    [InlineData("/jobs?kind=shell", "kind &#x27;shell&#x27; is not one of any, handler, command, http, workflow")]
    public async Task A_query_value_that_does_not_parse_gets_a_400_page_naming_it(string path, string message)
    {
        using var browser = await SignedInAsync(_readKey);

        using var response = await browser.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_search_longer_than_the_bound_is_refused_not_run()
    {
        using var browser = await SignedInAsync(_readKey);

        using var response = await browser.GetAsync("/jobs?q=" + new string('x', 5000));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("q is longer than 200 characters", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_live_stream_of_a_run_sends_its_log_line_its_states_and_its_end()
    {
        using var browser = await SignedInAsync(_readKey);
        var run = await _server.Client.RunNowAsync("report", """{"greeting":"hello from the log"}""");

        using var response = await browser.GetAsync($"/runs/{run.RunId}/live");
        var events = await response.Content.ReadAsStringAsync(); // The stream ends with the run.

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("event: log\ndata: {", events);
        Assert.Contains("hello from the log", events);
        Assert.Contains("\"state\":\"succeeded\"", events);
        Assert.EndsWith("event: end\ndata: {\"reason\":\"finished\"}\n\n", events);
    }
}

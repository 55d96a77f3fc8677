using System.Net;
using Kairos.Model;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server.Dashboard;

/// <summary>
/// The dashboard as an attacker meets it, over real HTTP: addresses that would lead off the site or break
/// the answer, forms the framework cannot read, live streams opened without end, a run whose log is huge,
/// and text from jobs and events that must show as text.
/// </summary>
public sealed class DashboardHostileInputTests : IAsyncLifetime
{
    private DashboardServer _dashboard = null!;

    private InProcessServer Server => _dashboard.Server;

    public async Task InitializeAsync() => _dashboard = await DashboardServer.StartAsync("""
            jobs:
              report:
                handler: echo
              nap:
                handler: sleep
            """);

    public async Task DisposeAsync() => await _dashboard.DisposeAsync();

    [Theory]
    [InlineData("/\t/evil.example")] // Browsers drop the tab: //evil.example, another site.
    [InlineData("/\r\nSet-Cookie: x=1")]
    [InlineData("/\\evil.example")]
    [InlineData("//evil.example")]
    [InlineData("https://evil.example/")]
    [InlineData("/caf\u00e9")] // Not ASCII: no Location header may carry it.
    public async Task Sign_in_sends_the_browser_on_only_to_a_plain_path_of_this_site(string then)
    {
        using var browser = new DashboardClient(Server.Url);
        var token = await browser.TokenAsync("/signin");

        using var response = await browser.PostAsync("/signin", ("_token", token), ("key", _dashboard.AdminKey), ("then", then));

        Assert.Equal((HttpStatusCode.SeeOther, "/"), (response.StatusCode, response.Headers.Location?.OriginalString));
    }

    [Fact]
    public async Task Sign_in_keeps_a_path_of_this_site_with_its_query()
    {
        using var browser = new DashboardClient(Server.Url);
        var token = await browser.TokenAsync("/signin");

        using var response = await browser.PostAsync("/signin", ("_token", token), ("key", _dashboard.AdminKey), ("then", "/runs?state=dead&job=a%2Fb"));

        Assert.Equal("/runs?state=dead&job=a%2Fb", response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("/runs?state=queued\r\nSet-Cookie: x=1")]
    [InlineData("/runs/\r\n5")]
    [InlineData("/runs?job=caf\u00e9")]
    public async Task A_bulk_actions_back_address_that_is_not_a_plain_path_sends_the_browser_to_the_runs_list(string back)
    {
        using var admin = await _dashboard.AdminAsync();
        var run = await Server.Client.RunNowAsync("nap", """{"ms":60000}""");

        using var response = await admin.SubmitAsync("/runs", "/runs/cancel", ("run", run.RunId.ToString()), ("back", back));

        Assert.Equal((HttpStatusCode.SeeOther, "/runs?cancelled=1&refused=0"), (response.StatusCode, response.Headers.Location?.OriginalString));
    }

    [Fact]
    public async Task A_form_the_framework_cannot_read_gets_a_400_page_saying_so_and_changes_nothing()
    {
        using var admin = await _dashboard.AdminAsync();

        using var nul = await admin.SubmitAsync("/keys", "/keys/create", ("name", "ci\0"), ("scope", "read"));
        using var huge = await admin.SubmitAsync("/job?name=report", "/job/run", ("name", "report"), ("payload", new string(' ', 5 * 1024 * 1024)));

        Assert.Equal(HttpStatusCode.BadRequest, nul.StatusCode);
        Assert.Contains("This form could not be read", await nul.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, huge.StatusCode);
        Assert.Contains("This form could not be read", await huge.Content.ReadAsStringAsync());
        Assert.Equal(["ops", "viewer"], (await Server.Client.ListApiKeysAsync()).Select(k => k.Name).Order());
        Assert.Empty(await Server.Client.ListRunsAsync(new Kairos.Storage.RunQuery { JobName = "report" }));
    }

    [Fact]
    public async Task A_key_holds_a_bounded_number_of_live_streams_and_another_key_is_not_held_up_by_it()
    {
        using var reader = await _dashboard.ReaderAsync();
        using var admin = await _dashboard.AdminAsync();
        var run = await Server.Client.RunNowAsync("nap", """{"ms":60000}""");
        var open = new List<HttpResponseMessage>();
        try
        {
            for (var i = 0; i < Kairos.Server.Dashboard.LiveStreamSlots.PerCaller; i++)
            {
                open.Add(await reader.StreamAsync($"/runs/{run.RunId}/live"));
            }

            using var refused = await reader.StreamAsync($"/runs/{run.RunId}/live");
            using var other = await admin.StreamAsync($"/runs/{run.RunId}/live");

            Assert.All(open, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Contains("At most 8 live views", await refused.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }
        finally
        {
            open.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public async Task A_run_with_a_50_MB_log_shows_its_first_lines_cut_short_and_says_where_the_rest_is()
    {
        using var reader = await _dashboard.ReaderAsync();
        var run = await Server.Client.RunNowAsync("nap", """{"ms":60000}""");
        var line = new string('x', 10_000);
        var at = Server.Client.Clock.GetUtcNow();
        for (var batch = 0; batch < 10; batch++)
        {
            await Server.Engine.Store.AppendRunLogAsync(run.RunId, Enumerable.Range(0, 500).Select(_ => new RunLogLine(at, "stdout", line)).ToList(), CancellationToken.None);
        }

        using var response = await reader.GetAsync($"/runs/{run.RunId}");
        var page = await response.Content.ReadAsStringAsync();
        using var live = await reader.StreamAsync($"/runs/{run.RunId}/live?from=1000");
        var firstLog = await FirstEventAsync(live, "log");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.InRange(page.Length, 1_000_000, 3_000_000); // 1000 lines of at most 2000 characters, not 50 MB.
        Assert.Contains("line cut at 2000 characters]", page);
        Assert.Contains("The log goes on past its first 1000 lines", page);
        Assert.Contains($"data-live=\"/runs/{run.RunId}/live?from=1000\"", page);
        Assert.Contains("the log goes on past its first 1000 lines", firstLog);
    }

    [Fact]
    public async Task The_live_stream_sends_only_the_log_lines_after_those_the_page_shows()
    {
        using var reader = await _dashboard.ReaderAsync();
        var run = await Server.Client.RunNowAsync("report", """{"greeting":"shown by the page"}""");
        await Server.Client.WaitForRunAsync(run.RunId, TimeSpan.FromSeconds(15));

        using var all = await reader.GetAsync($"/runs/{run.RunId}/live");
        using var after = await reader.GetAsync($"/runs/{run.RunId}/live?from=1");
        using var bad = await reader.GetAsync($"/runs/{run.RunId}/live?from=-1");

        Assert.Contains("shown by the page", await all.Content.ReadAsStringAsync());
        Assert.DoesNotContain("event: log", await after.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Text_from_payloads_logs_outputs_and_events_shows_as_text_never_as_markup()
    {
        using var reader = await _dashboard.ReaderAsync();
        const string attack = "\"><script>alert(1)</script><svg onload=alert(2)>";
        var run = await Server.Client.RunNowAsync("report", new System.Text.Json.Nodes.JsonObject { ["greeting"] = attack }.ToJsonString());
        await Server.Client.WaitForRunAsync(run.RunId, TimeSpan.FromSeconds(15));
        var evt = await Server.Client.PublishAsync(new Kairos.Events.EventRequest("order.created", "test") { Data = new System.Text.Json.Nodes.JsonObject { ["note"] = attack }.ToJsonString() });

        var runPage = await reader.GetPageAsync($"/runs/{run.RunId}");
        var eventPage = await reader.GetPageAsync($"/events/{evt.EventId}");
        var eventsPage = await reader.GetPageAsync("/events");

        foreach (var page in new[] { runPage, eventPage, eventsPage })
        {
            Assert.DoesNotContain("<script>alert", page);
            Assert.DoesNotContain("<svg onload", page);
        }
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", runPage);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", eventPage);
    }

    [Fact]
    public async Task Over_https_behind_a_trusted_proxy_the_session_and_antiforgery_cookies_are_secure()
    {
        await using var server = await DashboardServer.StartAsync("api:\n  trustedProxies: [127.0.0.1, \"::1\"]\njobs:\n  report:\n    handler: echo\n");
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(server.Server.Url) };
        http.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");

        using var form = await http.GetAsync("/signin");
        var antiforgery = form.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("kairos_antiforgery=", StringComparison.Ordinal));
        var token = System.Text.RegularExpressions.Regex.Match(await form.Content.ReadAsStringAsync(), "name=\"_token\" value=\"([^\"]+)\"").Groups[1].Value;
        using var post = new HttpRequestMessage(HttpMethod.Post, "/signin")
        {
            Content = new FormUrlEncodedContent([new("_token", token), new("key", server.AdminKey), new("then", "/")]),
        };
        post.Headers.Add("Cookie", antiforgery.Split(';')[0]);
        using var signIn = await http.SendAsync(post);
        var session = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("kairos_session=", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
        Assert.Contains("; secure", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; secure", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; httponly", antiforgery, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The first server-sent event named <paramref name="name"/> of a stream still open, read as it arrives.</summary>
    private static async Task<string> FirstEventAsync(HttpResponseMessage stream, string name)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(timeout.Token));
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line == "event: " + name)
            {
                return await reader.ReadLineAsync(timeout.Token) ?? "";
            }
        }
        return "";
    }
}

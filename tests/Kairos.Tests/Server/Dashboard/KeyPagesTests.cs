using System.Net;
using System.Text.RegularExpressions;
using Kairos.Access;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server.Dashboard;

/// <summary>Keys and namespaces over real HTTP: admins only, a token shown once, each field's problem next to it, revoking ends sessions.</summary>
public sealed partial class KeyPagesTests : IAsyncLifetime
{
    private DashboardServer _dashboard = null!;

    private InProcessServer Server => _dashboard.Server;

    public async Task InitializeAsync() => _dashboard = await DashboardServer.StartAsync("""
            jobs:
              billing/report:
                handler: noop
              report:
                handler: noop
            """);

    public async Task DisposeAsync() => await _dashboard.DisposeAsync();

    [Fact]
    public async Task A_key_created_in_the_form_shows_its_token_once_and_the_token_signs_in()
    {
        using var admin = await _dashboard.AdminAsync();

        using var response = await admin.SubmitAsync("/keys", "/keys/create", ("name", "billing-bot"), ("scope", "run"), ("namespaces", "billing"), ("expires", "90d"));
        var page = await response.Content.ReadAsStringAsync();
        var token = TokenField().Match(page).Groups[1].Value;
        var list = await admin.GetPageAsync("/keys");
        using var bot = await DashboardClient.SignedInAsync(Server.Url, token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, "no cache may keep the token");
        Assert.StartsWith("kairos_", token);
        Assert.Contains("it is not stored and will not be shown again", page);
        Assert.DoesNotContain(token, list);
        Assert.Matches("<td>billing-bot</td>.*?<td>run</td>\\s*<td class=\"wrap\">billing</td>", Regex.Replace(list, "\\s+", " "));
        Assert.Matches("<td>billing</td><td class=\"wrap\">billing-bot</td>", list); // The namespace, with the key bound to it.
        var key = Assert.Single(await Server.Client.ListApiKeysAsync(), k => k.Name == "billing-bot");
        Assert.Equal(KairosScope.Run, key.Scope);
        Assert.Equal(["billing"], key.Namespaces!);
    }

    [Fact]
    public async Task Every_bad_field_of_the_key_form_gets_its_message_next_to_it_and_no_key_is_made()
    {
        using var admin = await _dashboard.AdminAsync();

        using var response = await admin.SubmitAsync("/keys", "/keys/create", ("name", ""), ("scope", "root"), ("namespaces", "billing Bad!"), ("expires", "soon"));
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("id=\"name-error\" class=\"field-error\" role=\"alert\">Give the key a name", page);
        Assert.Contains("id=\"scope-error\" class=\"field-error\" role=\"alert\">The scope is read, run, write or admin, not &#x27;root&#x27;.", page);
        Assert.Matches("id=\"namespaces-error\"[^>]*>[^<]*Bad!", page);
        Assert.Contains("id=\"expires-error\" class=\"field-error\" role=\"alert\">&#x27;soon&#x27; is neither a duration (90d) nor an instant", page);
        Assert.Contains("value=\"billing Bad!\"", page);
        Assert.Equal(["ops", "viewer"], (await Server.Client.ListApiKeysAsync()).Select(k => k.Name).Order());
    }

    [Fact]
    public async Task A_key_revoked_after_its_confirmation_page_ends_its_dashboard_session_at_once()
    {
        var doomed = await Server.Client.CreateApiKeyAsync("doomed", KairosScope.Read);
        using var session = await DashboardClient.SignedInAsync(Server.Url, doomed.Token);
        using var admin = await _dashboard.AdminAsync();

        var confirm = await admin.GetPageAsync("/keys/revoke?name=doomed");
        using var revoke = await admin.SubmitAsync("/keys/revoke?name=doomed", "/keys/revoke", ("name", "doomed"));
        using var after = await session.GetAsync("/events");

        Assert.Contains("Revoke the key doomed?", confirm);
        Assert.Equal((HttpStatusCode.SeeOther, "/keys?revoked=1"), (revoke.StatusCode, revoke.Headers.Location?.OriginalString));
        Assert.Equal(HttpStatusCode.SeeOther, after.StatusCode);
        Assert.StartsWith("/signin", after.Headers.Location?.OriginalString);
        Assert.DoesNotContain(await Server.Client.ListApiKeysAsync(), k => k.Name == "doomed");
    }

    [Fact]
    public async Task A_key_below_admin_has_no_keys_link_and_its_forged_create_is_refused()
    {
        var writer = await Server.Client.CreateApiKeyAsync("writer", KairosScope.Write);
        using var browser = await DashboardClient.SignedInAsync(Server.Url, writer.Token);

        var overview = await browser.GetPageAsync("/");
        using var page = await browser.GetAsync("/keys");
        using var forged = await browser.SubmitAsync("/", "/keys/create", ("name", "sneaky"), ("scope", "admin"));

        Assert.DoesNotContain("href=\"/keys\"", overview);
        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.DoesNotContain(await Server.Client.ListApiKeysAsync(), k => k.Name == "sneaky");
    }

    [GeneratedRegex("id=\"token\" readonly value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}

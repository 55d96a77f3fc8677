using System.Net;
using Kairos.Tests.Support;
using Kairos.Webhooks;

namespace Kairos.Tests.Server.Dashboard;

/// <summary>Creating, editing and deleting webhooks on the dashboard over real HTTP, checked by the engine's own rules, never showing a secret.</summary>
public sealed class WebhookFormTests : IAsyncLifetime
{
    private DashboardServer _dashboard = null!;

    private InProcessServer Server => _dashboard.Server;

    public async Task InitializeAsync() => _dashboard = await DashboardServer.StartAsync("""
            webhooks:
              shop:
                verify: bearer
                secret: shop-token-value
            jobs:
              report:
                handler: noop
            """);

    public async Task DisposeAsync() => await _dashboard.DisposeAsync();

    [Fact]
    public async Task A_new_webhook_is_saved_with_its_verification_secret_name_limit_and_replay_window()
    {
        using var admin = await _dashboard.AdminAsync();

        using var response = await admin.SubmitAsync("/webhooks/new", "/webhooks/save", ("name", "github"), ("verify", "github"), ("secretFrom", "env"),
            ("secretName", "GITHUB_HOOK_SECRET"), ("rateRequests", "10"), ("ratePer", "1m"), ("replayWindow", "10m"), ("publish", "github.push"));
        var page = await admin.GetPageAsync(response.Headers.Location!.OriginalString);

        Assert.Equal((HttpStatusCode.SeeOther, "/webhooks?hook=github&saved=1"), (response.StatusCode, response.Headers.Location.OriginalString));
        var hook = await Server.Client.GetWebhookAsync("github");
        Assert.NotNull(hook);
        Assert.Equal((WebhookVerification.GitHub, "GITHUB_HOOK_SECRET", new WebhookRateLimit(10, TimeSpan.FromMinutes(1)), TimeSpan.FromMinutes(10), "github.push"),
            (hook.Verification, hook.Secret?.EnvironmentVariable, hook.RateLimit, hook.ReplayWindow, hook.Publish));
        Assert.Contains("Saved.", page);
        Assert.Contains("github, secret from environment variable GITHUB_HOOK_SECRET", page);
    }

    [Fact]
    public async Task Each_problem_shows_next_to_its_field_all_at_once_and_nothing_is_saved()
    {
        using var admin = await _dashboard.AdminAsync();

        using var response = await admin.SubmitAsync("/webhooks/new", "/webhooks/save", ("name", "signed"), ("verify", "hmac"), ("secretFrom", "env"),
            ("secretName", ""), ("hmacHeader", ""), ("rateRequests", "10"), ("ratePer", "soon"), ("replayWindow", "0s"), ("publish", "bad type!"));
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        foreach (var field in new[] { "secretName", "hmacHeader", "rateLimit", "replayWindow", "publish" })
        {
            Assert.Contains($"id=\"{field}-error\"", page);
        }
        Assert.Contains("verifying signatures needs a secret", page); // The engine's own words.
        Assert.Contains("&#x27;soon&#x27; is not a duration", page);
        Assert.Contains("value=\"bad type!\"", page); // The form as typed.
        Assert.Null(await Server.Client.GetWebhookAsync("signed"));
    }

    [Fact]
    public async Task Editing_a_hook_whose_secret_is_set_in_the_configuration_never_shows_it_and_keeps_it()
    {
        using var admin = await _dashboard.AdminAsync();

        var form = await admin.GetPageAsync("/webhooks/edit?name=shop");
        using var response = await admin.SubmitAsync("/webhooks/edit?name=shop", "/webhooks/save", ("original", "shop"), ("verify", "bearer"), ("secretFrom", "keep"),
            ("secretName", ""), ("replayWindow", "5m"), ("publish", "shop.order"));

        Assert.DoesNotContain("shop-token-value", form);
        Assert.Contains("as set in the configuration (kept, not shown)", form);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var hook = await Server.Client.GetWebhookAsync("shop");
        Assert.Equal(("shop.order", "shop-token-value"), (hook?.Publish, await Server.Client.ResolveWebhookSecretAsync(hook!)));
    }

    [Fact]
    public async Task A_webhook_is_deleted_after_a_confirmation_page_and_a_read_only_key_sees_no_way_to_change_one()
    {
        using var admin = await _dashboard.AdminAsync();
        using var reader = await _dashboard.ReaderAsync();

        var confirm = await admin.GetPageAsync("/webhooks/delete?name=shop");
        using var deleted = await admin.SubmitAsync("/webhooks/delete?name=shop", "/webhooks/delete", ("name", "shop"));
        var readerList = await reader.GetPageAsync("/webhooks");
        using var readerForm = await reader.GetAsync("/webhooks/new");

        Assert.Contains("Delete the webhook shop?", confirm);
        Assert.Equal((HttpStatusCode.SeeOther, "/webhooks?deleted=1"), (deleted.StatusCode, deleted.Headers.Location?.OriginalString));
        Assert.Null(await Server.Client.GetWebhookAsync("shop"));
        Assert.DoesNotContain("New webhook", readerList);
        Assert.Equal(HttpStatusCode.Forbidden, readerForm.StatusCode);
    }
}

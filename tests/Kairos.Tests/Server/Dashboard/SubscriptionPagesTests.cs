using System.Net;
using Kairos.Events;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server.Dashboard;

/// <summary>Subscriptions over real HTTP: create, each field's problem next to it, the preview on recent events, edit, delete, and who may.</summary>
public sealed class SubscriptionPagesTests : IAsyncLifetime
{
    private DashboardServer _dashboard = null!;

    private InProcessServer Server => _dashboard.Server;

    public async Task InitializeAsync() => _dashboard = await DashboardServer.StartAsync("""
            jobs:
              ship:
                handler: noop
            """);

    public async Task DisposeAsync() => await _dashboard.DisposeAsync();

    private static Task<HttpResponseMessage> SaveAsync(DashboardClient browser, string name, string events, string job, string filter, string action = "save") =>
        browser.SubmitAsync("/subscriptions/new", "/subscriptions/save", ("name", name), ("events", events), ("job", job), ("filter", filter), ("active", "yes"), ("do", action));

    [Fact]
    public async Task A_subscription_made_in_the_form_is_stored_listed_and_routes_the_next_event()
    {
        using var browser = await _dashboard.AdminAsync();

        using var save = await SaveAsync(browser, "big-orders", "order.*", "ship", """{"data.amount": {"$gt": 100}}""");
        var list = await browser.GetPageAsync(save.Headers.Location!.OriginalString);
        var published = await Server.Client.PublishAsync(new EventRequest("order.created", "shop") { Data = """{"amount": 500}""" });

        Assert.Equal(HttpStatusCode.SeeOther, save.StatusCode);
        Assert.Contains("Saved.", list);
        Assert.Contains("<td>big-orders</td>", list);
        var stored = await Server.Client.GetSubscriptionAsync("big-orders");
        Assert.Equal(("order.*", "ship", """{"data.amount":{"$gt":100}}""", true), (stored!.Pattern, stored.Job, stored.Filter, stored.Active));
        Assert.Single(published.Runs);
    }

    [Fact]
    public async Task Every_bad_field_gets_its_own_message_next_to_it_and_the_form_keeps_what_was_typed()
    {
        using var browser = await _dashboard.AdminAsync();

        using var response = await SaveAsync(browser, "bad name!", "order..x", "nope", """{"data.amount": {"$huge": 1}}""");
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Matches("id=\"name-error\"[^>]*>[^<]*bad name!", page);
        Assert.Matches("id=\"events-error\"[^>]*>[^<]*order\\.\\.x", page);
        Assert.Contains("id=\"job-error\" class=\"field-error\" role=\"alert\">There is no job named &#x27;nope&#x27;.</p>", page);
        Assert.Matches("id=\"filter-error\"[^>]*>[^<]*unknown operator &#x27;\\$huge&#x27;", page);
        Assert.Contains("value=\"order..x\"", page);
        Assert.Empty(await Server.Client.ListSubscriptionsAsync());
    }

    [Fact]
    public async Task The_preview_shows_which_recent_events_the_filter_takes_and_saves_nothing()
    {
        var small = await Server.Client.PublishAsync(new EventRequest("order.created", "shop") { Data = """{"amount": 50}""" });
        var big = await Server.Client.PublishAsync(new EventRequest("order.created", "shop") { Data = """{"amount": 500}""" });
        var other = await Server.Client.PublishAsync(new EventRequest("user.signed-up", "shop") { Data = """{"amount": 900}""" });
        using var browser = await _dashboard.AdminAsync();

        using var response = await SaveAsync(browser, "big-orders", "order.*", "ship", """{"data.amount": {"$gt": 100}}""", action: "preview");
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("1 of the newest 3 events match.", page);
        Assert.Contains($"href=\"/events/{big.EventId}\"", page);
        Assert.DoesNotContain($"href=\"/events/{small.EventId}\"", page);
        Assert.DoesNotContain($"href=\"/events/{other.EventId}\"", page);
        Assert.Empty(await Server.Client.ListSubscriptionsAsync());
    }

    [Fact]
    public async Task A_subscription_is_edited_then_deleted_after_its_confirmation_page()
    {
        await Server.Client.SaveSubscriptionAsync(new Subscription("audit", "order.*", "ship"));
        using var browser = await _dashboard.AdminAsync();
        var edit = await browser.GetPageAsync("/subscriptions/edit?name=audit");

        using var save = await browser.SubmitAsync("/subscriptions/edit?name=audit", "/subscriptions/save",
            ("original", "audit"), ("name", "audit"), ("events", "invoice.*"), ("job", "ship"), ("filter", "{}"), ("do", "save"));
        var edited = await Server.Client.GetSubscriptionAsync("audit");
        var confirm = await browser.GetPageAsync("/subscriptions/delete?name=audit");
        using var delete = await browser.SubmitAsync("/subscriptions/delete?name=audit", "/subscriptions/delete", ("name", "audit"));

        Assert.Contains("value=\"order.*\"", edit);
        Assert.Equal(HttpStatusCode.SeeOther, save.StatusCode);
        Assert.Equal(("invoice.*", false), (edited!.Pattern, edited.Active)); // The box was not ticked.
        Assert.Contains("Delete the subscription audit?", confirm);
        Assert.Equal((HttpStatusCode.SeeOther, "/subscriptions?deleted=1"), (delete.StatusCode, delete.Headers.Location?.OriginalString));
        Assert.Null(await Server.Client.GetSubscriptionAsync("audit"));
    }

    [Fact]
    public async Task Creating_a_subscription_under_a_name_in_use_is_refused_next_to_the_name()
    {
        await Server.Client.SaveSubscriptionAsync(new Subscription("audit", "order.*", "ship"));
        using var browser = await _dashboard.AdminAsync();

        using var response = await SaveAsync(browser, "audit", "invoice.*", "ship", "{}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("A subscription named &#x27;audit&#x27; exists already", await response.Content.ReadAsStringAsync());
        Assert.Equal("order.*", (await Server.Client.GetSubscriptionAsync("audit"))!.Pattern);
    }

    [Fact]
    public async Task A_read_only_key_sees_the_list_without_actions_and_cannot_open_or_post_the_form()
    {
        await Server.Client.SaveSubscriptionAsync(new Subscription("audit", "order.*", "ship"));
        using var browser = await _dashboard.ReaderAsync();

        var list = await browser.GetPageAsync("/subscriptions");
        using var form = await browser.GetAsync("/subscriptions/new");
        using var forged = await browser.SubmitAsync("/subscriptions", "/subscriptions/delete", ("name", "audit"));

        Assert.Contains("<td>audit</td>", list);
        Assert.DoesNotContain("New subscription", list);
        Assert.DoesNotContain("/subscriptions/edit", list);
        Assert.Equal(HttpStatusCode.Forbidden, form.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.NotNull(await Server.Client.GetSubscriptionAsync("audit"));
    }
}

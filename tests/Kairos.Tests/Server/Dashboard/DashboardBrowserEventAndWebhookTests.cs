using Kairos.Events;
using Kairos.Storage;
using Kairos.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Kairos.Tests.Server.Dashboard;

/// <summary>
/// Replaying an event, making a webhook, and the pages these touch at 375 px (dark) and 1280 px, in a real
/// browser against the real server. Screenshots go to <c>.artifacts/screenshots</c>.
/// </summary>
public sealed class DashboardBrowserEventAndWebhookTests(DashboardBrowser browser) : IClassFixture<DashboardBrowser>
{
    private InProcessServer Server => browser.Server;

    [ChromiumFact]
    public async Task An_event_replayed_to_a_subscription_from_its_page_gets_a_second_delivery()
    {
        await Server.Client.SaveSubscriptionAsync(new Subscription("audit-replay", "audit.*", "later"));
        var published = await Server.Client.PublishAsync(new EventRequest("audit.logged", "test") { Data = """{"who": "ada"}""" });
        await Server.Client.WaitForRunAsync(Assert.Single(published.Runs).RunId, TimeSpan.FromSeconds(15));
        var page = await browser.SignedInAsync(browser.AdminKey, width: 1280);

        await page.GotoAsync($"/events/{published.EventId}");
        await Expect(page.Locator("#deliveries tbody tr")).ToHaveCountAsync(1);
        await page.SelectOptionAsync("#replay-subscription", "audit-replay");
        await page.ClickAsync("#replay-event");

        await Expect(page.Locator("#notice")).ToHaveTextAsync("Replayed: queued 1 run.");
        await Expect(page.Locator("#deliveries tbody tr")).ToHaveCountAsync(2);
        Assert.Equal(2, (await Server.Client.ListRunsAsync(new RunQuery { EventId = published.EventId })).Count);
        await DashboardBrowser.ScreenshotAsync(page, "event-replayed-1280px");
        await page.SetViewportSizeAsync(375, 800);
        await DashboardBrowser.AssertFitsAsync(page, 375, "the event's page");
        await DashboardBrowser.ScreenshotAsync(page, "event-replayed-375px");
    }

    [ChromiumFact]
    public async Task A_webhook_is_made_by_keyboard_at_375_px_in_dark_mode_with_each_problem_next_to_its_field()
    {
        var page = await browser.SignedInAsync(browser.AdminKey, width: 375);
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await page.GotoAsync("/webhooks");
        await page.FocusAsync("#new-webhook");
        await page.Keyboard.PressAsync("Enter");

        await page.FocusAsync("#name");
        await page.Keyboard.TypeAsync("deploys");
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator("#verify")).ToBeFocusedAsync();
        await page.SelectOptionAsync("#verify", "hmac");
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator("#secretFrom")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab"); // The secret's name, left empty.
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator("#hmacHeader")).ToBeFocusedAsync(); // Left empty too.
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("5");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("soon");
        await page.Keyboard.PressAsync("Tab"); // The replay window keeps its 5m.
        await page.Keyboard.PressAsync("Tab"); // Publish: none.
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator("#save")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.Locator("#secretName-error")).ToContainTextAsync("verifying signatures needs a secret");
        await Expect(page.Locator("#hmacHeader-error")).ToContainTextAsync("The signature header is required");
        await Expect(page.Locator("#rateLimit-error")).ToContainTextAsync("'soon' is not a duration");
        await Expect(page.Locator("#hmacHeader")).ToHaveAttributeAsync("aria-invalid", "true");
        await DashboardBrowser.AssertFitsAsync(page, 375, "the webhook form");
        await DashboardBrowser.ScreenshotAsync(page, "webhook-form-problems-375px-dark");

        await page.FillAsync("#secretName", "DEPLOY_SECRET");
        await page.FillAsync("#hmacHeader", "X-Signature");
        await page.FillAsync("#ratePer", "1m");
        await page.FocusAsync("#save");
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.Locator("#notice")).ToHaveTextAsync("Saved.");
        await Expect(page.Locator("#webhooks")).ToContainTextAsync("hmac, secret from environment variable DEPLOY_SECRET");
        await DashboardBrowser.AssertFitsAsync(page, 375, "the webhooks page");
        await DashboardBrowser.ScreenshotAsync(page, "webhook-saved-375px-dark");
        await page.SetViewportSizeAsync(1280, 900);
        await page.GotoAsync("/webhooks/edit?name=deploys");
        await Expect(page.Locator("#hmacHeader")).ToHaveValueAsync("X-Signature");
        await DashboardBrowser.ScreenshotAsync(page, "webhook-form-1280px-dark");
    }

    [ChromiumFact]
    public async Task The_pages_this_work_touched_fit_375_px_and_are_saved_at_375_and_1280_px()
    {
        var run = await Server.Client.RunNowAsync("later");
        await Server.Client.WaitForRunAsync(run.RunId, TimeSpan.FromSeconds(15));
        var evt = await Server.Client.PublishAsync(new EventRequest("nobody.listens", "test"));
        var page = await browser.SignedInAsync(browser.AdminKey, width: 375);
        var pages = new[]
        {
            ("/", "overview"), ("/runs?namespace=default", "runs-namespace"), ($"/runs/{run.RunId}", "run"), ($"/events/{evt.EventId}", "event"),
            ("/webhooks", "webhooks"), ("/webhooks/new", "webhook-new"),
        };
        foreach (var width in new[] { 375, 1280 })
        {
            await page.SetViewportSizeAsync(width, 900);
            foreach (var (path, name) in pages)
            {
                await page.GotoAsync(path);
                await DashboardBrowser.AssertFitsAsync(page, width, path);
                await DashboardBrowser.ScreenshotAsync(page, $"{name}-{width}px");
            }
        }
        await page.GotoAsync("/");
        await Expect(page.Locator("#scheduler-lag")).ToHaveTextAsync("on time");
    }
}

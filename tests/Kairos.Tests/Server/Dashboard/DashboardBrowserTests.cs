using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Kairos.Tests.Server.Dashboard;

/// <summary>What a person does in the dashboard, in a real browser against the real server.</summary>
public sealed class DashboardBrowserTests(DashboardBrowser browser) : IClassFixture<DashboardBrowser>
{
    private InProcessServer Server => browser.Server;

    [ChromiumFact]
    public async Task A_wrong_key_is_refused_with_a_message_and_the_right_one_opens_the_overview()
    {
        var page = await browser.NewPageAsync();

        await page.GotoAsync("/jobs");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin\\?then=%2Fjobs$"));
        await page.FillAsync("#key", "kairos_wrong");
        await page.ClickAsync("button[type=submit]");
        await Expect(page.Locator("#signin-refusal")).ToHaveTextAsync("That API key was not accepted. Check it and try again.");
        await DashboardBrowser.ScreenshotAsync(page, "sign-in-refused");
        await page.FillAsync("#key", browser.AdminKey);
        await page.ClickAsync("button[type=submit]");

        await Expect(page.Locator("h1")).ToHaveTextAsync("Jobs"); // Back where the person was going.
        await Expect(page.Locator(".who")).ToContainTextAsync("ops · admin");
        await page.ClickAsync("text=Overview");
        await Expect(page.Locator("svg[role=img]")).ToBeVisibleAsync();
        await DashboardBrowser.ScreenshotAsync(page, "overview");
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await DashboardBrowser.ScreenshotAsync(page, "overview-dark");
    }

    [ChromiumFact]
    public async Task A_cron_job_shows_its_schedule_in_words_and_its_next_fire()
    {
        var page = await browser.SignedInAsync(browser.AdminKey);

        await page.GotoAsync("/jobs?q=weekday");

        var row = page.Locator("#jobs tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("At 09:00, Monday to Friday, Europe/Paris");
        await Expect(row).ToContainTextAsync("next in ");
        await page.ClickAsync("text=weekday-report");
        await Expect(page.Locator(".fires li").First).ToContainTextAsync("09:00 +01:00"); // 09:00 in Paris, winter time.
        await DashboardBrowser.ScreenshotAsync(page, "job");
    }

    [ChromiumFact]
    public async Task A_job_run_now_with_a_payload_completes_on_its_page_without_a_reload()
    {
        var page = await browser.SignedInAsync(browser.AdminKey);
        await page.GotoAsync("/job?name=nap");

        await page.FillAsync("#payload", """{"ms": 1500""");
        await page.ClickAsync("#run-now");
        await Expect(page.Locator("#payload-error")).ToContainTextAsync("The payload is not valid JSON");
        await page.FillAsync("#payload", """{"ms": 1500}""");
        await page.ClickAsync("#run-now");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/runs/\\d+$"));
        await Expect(page.Locator("#run-state")).Not.ToHaveTextAsync("succeeded");
        await page.EvaluateAsync("window.sameDocument = true");

        await Expect(page.Locator("#run-state")).ToHaveTextAsync("succeeded");
        await Expect(page.Locator("#run-output")).ToContainTextAsync("\"slept\": 1500");
        Assert.True(await page.EvaluateAsync<bool>("window.sameDocument === true")); // Updated by the live stream, not a reload.
        await DashboardBrowser.ScreenshotAsync(page, "run-live");
    }

    [ChromiumFact]
    public async Task A_dead_run_retried_from_its_page_succeeds_once_the_fault_is_fixed()
    {
        var dead = await Server.Client.WaitForRunAsync((await Server.Client.RunNowAsync("flaky")).RunId, TimeSpan.FromSeconds(15));
        Assert.Equal(RunState.Dead, dead!.State);
        var page = await browser.SignedInAsync(browser.AdminKey);
        await page.GotoAsync($"/runs/{dead.Id}");
        await Expect(page.Locator("#run-error")).ToContainTextAsync("the flaky service is down");

        browser.Fixed = true;
        await page.ClickAsync("#retry");

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/runs/{dead.Id}$"));
        await Expect(page.Locator("#run-state")).ToHaveTextAsync("succeeded");
        await Expect(page.Locator(".timeline")).ToContainTextAsync("run.retried");
        await DashboardBrowser.ScreenshotAsync(page, "run-retried");
    }

    [ChromiumFact]
    public async Task Queued_runs_ticked_in_the_list_are_cancelled_together()
    {
        var due = Server.Client.Clock.GetUtcNow().AddHours(1);
        var queued = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            queued.Add((await Server.Client.RunAtAsync("later", due, idempotencyKey: $"bulk-{i}")).RunId);
        }
        var page = await browser.SignedInAsync(browser.AdminKey);
        await page.GotoAsync("/runs?job=later&state=queued");

        foreach (var box in await page.Locator("input[name=run]").AllAsync())
        {
            await box.CheckAsync();
        }
        await page.ClickAsync("#bulk-cancel");

        await Expect(page.Locator("#notice")).ToHaveTextAsync("Cancelled 3 runs.");
        await Expect(page.Locator("input[name=run]")).ToHaveCountAsync(0); // None queued any more.
        foreach (var id in queued)
        {
            Assert.Equal(RunState.Cancelled, (await Server.Client.GetRunAsync(id))!.State);
        }
        await DashboardBrowser.ScreenshotAsync(page, "runs-cancelled");
    }

    [ChromiumFact]
    public async Task A_read_only_key_sees_no_action_and_its_forged_post_is_refused()
    {
        await Server.Client.RunNowAsync("weekday-report"); // So the runs list has a run to act on.
        var page = await browser.SignedInAsync(browser.ReadKey, width: 375);

        await page.GotoAsync("/job?name=nap");
        await Expect(page.Locator("h1")).ToHaveTextAsync("nap");
        await Expect(page.Locator("main form")).ToHaveCountAsync(0);
        await Expect(page.Locator("main button")).ToHaveCountAsync(0);
        await DashboardBrowser.ScreenshotAsync(page, "read-only-job-375px");
        await page.GotoAsync("/runs");
        await Expect(page.Locator("#bulk-cancel, #bulk-retry, input[name=run]")).ToHaveCountAsync(0);
        await Expect(page.Locator("#bulk tbody tr").First).ToBeVisibleAsync(); // The runs are listed, only the actions are missing.
        // A page forging the run-now form with the session's own valid token.
        var status = await page.EvaluateAsync<int>("""
            async () => {
              const token = document.querySelector("input[name=_token]").value;
              const response = await fetch("/job/run", { method: "POST", body: new URLSearchParams({ _token: token, name: "nap", payload: "{}" }) });
              return response.status;
            }
            """);

        Assert.Equal(403, status);
        Assert.Empty(await Server.Client.ListRunsAsync(new RunQuery { JobName = "nap", State = RunState.Queued }));
    }

    [ChromiumFact]
    public async Task A_search_finds_one_job_among_hundreds()
    {
        for (var i = 0; i < 300; i++)
        {
            await Server.Client.SaveJobAsync(new JobDefinition { Name = $"filler-{i:D3}", Executor = new HandlerExecutorSpec("noop") });
        }
        await Server.Client.SaveJobAsync(new JobDefinition { Name = "the-needle", Executor = new HandlerExecutorSpec("noop") });
        var page = await browser.SignedInAsync(browser.AdminKey);
        await page.GotoAsync("/jobs");
        await Expect(page.Locator("#jobs tbody tr")).ToHaveCountAsync(50);
        await Expect(page.Locator("a[rel=next]")).ToBeVisibleAsync();

        await page.FillAsync("input[name=q]", "NEEDLE");
        await page.PressAsync("input[name=q]", "Enter");

        await Expect(page.Locator("#jobs tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#jobs tbody tr")).ToContainTextAsync("the-needle");
        await DashboardBrowser.ScreenshotAsync(page, "jobs-search");
    }

    [ChromiumFact]
    public async Task A_subscription_created_in_the_form_delivers_a_published_event_whose_run_appears()
    {
        var page = await browser.SignedInAsync(browser.AdminKey);
        await page.GotoAsync("/subscriptions");
        await page.ClickAsync("#new-subscription");
        await page.FillAsync("#name", "paris-reports");
        await page.FillAsync("#events", "report.*");
        await page.FillAsync("#job", "weekday-report");
        await page.FillAsync("#filter", """{"data.city": "Paris"}""");
        await page.ClickAsync("#save");
        await Expect(page.Locator("#notice")).ToHaveTextAsync("Saved.");
        await Expect(page.Locator("#subscriptions")).ToContainTextAsync("paris-reports");
        await DashboardBrowser.ScreenshotAsync(page, "subscriptions");

        var published = await Server.Client.PublishAsync(new Kairos.Events.EventRequest("report.requested", "test") { Data = """{"city": "Paris"}""" });
        await page.ClickAsync("nav >> text=Events");
        await page.ClickAsync($"a[href='/events/{published.EventId}']");

        var delivery = page.Locator("#deliveries tbody tr");
        await Expect(delivery).ToHaveCountAsync(1);
        await Expect(delivery).ToContainTextAsync("paris-reports");
        await DashboardBrowser.ScreenshotAsync(page, "event-delivered");
        await delivery.Locator("a[href^='/runs/']").ClickAsync();
        await Expect(page.Locator("#run-state")).ToHaveTextAsync("succeeded");
        await Expect(page.Locator("main")).ToContainTextAsync("subscription paris-reports");
    }

    [ChromiumFact]
    public async Task A_workflow_run_shows_its_graph_coloured_by_step_state_also_at_375_px()
    {
        var started = await Server.Client.StartWorkflowAsync("order-flow", """{"express": false, "sku": "X-1"}""");
        await Server.Client.WaitForRunAsync(started.RunId, TimeSpan.FromSeconds(20));
        var page = await browser.SignedInAsync(browser.AdminKey);

        await page.GotoAsync("/job?name=order-flow");
        await Expect(page.Locator("#workflow g.node")).ToHaveCountAsync(4);
        await DashboardBrowser.ScreenshotAsync(page, "workflow-definition");
        await page.GotoAsync($"/runs/{started.RunId}");

        var graph = page.Locator("#workflow-run-graph");
        await Expect(graph).ToBeVisibleAsync();
        await Expect(graph.Locator("g.node.state-succeeded")).ToHaveCountAsync(3);
        await Expect(graph.Locator("g.node.state-skipped[data-step=express]")).ToHaveCountAsync(1);
        await Expect(page.Locator("#workflow-steps tr[data-step=pack]")).ToContainTextAsync("succeeded");
        await page.Locator("#workflow-steps tr[data-step=pack] summary", new() { HasText = "Input" }).ClickAsync();
        await Expect(page.Locator("#workflow-steps tr[data-step=pack] details[open]")).ToContainTextAsync("X-1");
        await DashboardBrowser.ScreenshotAsync(page, "workflow-run");
        await page.SetViewportSizeAsync(375, 800);
        await Expect(graph).ToBeVisibleAsync();
        await DashboardBrowser.AssertFitsAsync(page, 375, "the workflow run's page"); // The graph scrolls in its box.
        await DashboardBrowser.ScreenshotAsync(page, "workflow-run-375px");
    }

    [ChromiumFact]
    public async Task The_new_pages_fit_375_px_and_a_subscription_is_made_by_keyboard_alone_in_dark_mode()
    {
        await Server.Client.PublishAsync(new Kairos.Events.EventRequest("report.requested", "test") { Data = """{"city": "Lyon"}""", NotBefore = Server.Client.Clock.GetUtcNow().AddHours(1) });
        var page = await browser.SignedInAsync(browser.AdminKey, width: 375);
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        foreach (var (path, name) in new[] { ("/events/queue", "event-queue"), ("/events", "events"), ("/subscriptions", "subscriptions"), ("/webhooks", "webhooks"), ("/keys", "keys") })
        {
            await page.GotoAsync(path);
            await DashboardBrowser.AssertFitsAsync(page, 375, path);
            await DashboardBrowser.ScreenshotAsync(page, name + "-375px-dark");
        }

        await page.GotoAsync("/subscriptions/new");
        await page.Keyboard.PressAsync("Tab"); // The skip link comes first,
        await Expect(page.Locator("a.skip")).ToBeFocusedAsync();
        await page.FocusAsync("#name"); // then the form, field after field.
        await page.Keyboard.TypeAsync("lyon-reports");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("report.*");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("no-such-job");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync("""{"data.city": "Lyon"}""");
        await page.Keyboard.PressAsync("Enter"); // A new line in the filter, which stays JSON.
        await page.Keyboard.PressAsync("Tab"); // Active
        await page.Keyboard.PressAsync("Tab"); // Save
        await page.Keyboard.PressAsync("Tab"); // Test against recent events
        await Expect(page.Locator("#preview")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.Locator("#job-error")).ToHaveTextAsync("There is no job named 'no-such-job'.");
        await Expect(page.Locator("#job")).ToHaveAttributeAsync("aria-invalid", "true");
        await page.FillAsync("#job", "weekday-report");
        await page.FocusAsync("#preview");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#preview-summary")).ToContainTextAsync("1 of the newest");
        await DashboardBrowser.ScreenshotAsync(page, "subscription-preview-375px-dark");
        await DashboardBrowser.AssertFitsAsync(page, 375, "the subscription form");
    }
}

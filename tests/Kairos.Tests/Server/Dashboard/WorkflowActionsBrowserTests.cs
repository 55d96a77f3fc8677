using Kairos.Model;
using Kairos.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Kairos.Tests.Server.Dashboard;

/// <summary>A person operating on a workflow run from its page, in a real browser against the real server.</summary>
public sealed class WorkflowActionsBrowserTests(DashboardBrowser browser) : IClassFixture<DashboardBrowser>
{
    private InProcessServer Server => browser.Server;

    [ChromiumFact]
    public async Task A_failed_workflow_retried_from_its_failed_step_completes_without_running_its_first_step_again()
    {
        await Server.Client.SaveJobAsync(new JobDefinition
        {
            Name = "flaky-flow",
            Executor = new WorkflowExecutorSpec(
            [
                new WorkflowStep("prepare") { Run = new HandlerExecutorSpec("echo"), Input = """{"ready": true}""" },
                new WorkflowStep("call") { Job = "flaky", Needs = ["prepare"] },
                new WorkflowStep("finish") { Run = new HandlerExecutorSpec("echo"), Needs = ["call"], Input = """{"done": true}""" },
            ]),
        });
        var started = await Server.Client.StartWorkflowAsync("flaky-flow", "{}");
        Assert.Equal(RunState.Dead, (await Server.Client.WaitForRunAsync(started.RunId, TimeSpan.FromSeconds(15)))!.State);
        var prepared = (await Server.Client.GetWorkflowRunAsync(started.RunId)).Steps.Single(s => s.Id == "prepare").RunId;
        var page = await browser.SignedInAsync(browser.AdminKey);
        await page.GotoAsync($"/runs/{started.RunId}");
        await Expect(page.Locator("#workflow-steps tr[data-step=call]")).ToContainTextAsync("the flaky service is down");
        await Expect(page.Locator("#workflow-run-graph g.node.state-failed[data-step=call]")).ToHaveCountAsync(1);
        await DashboardBrowser.ScreenshotAsync(page, "workflow-run-failed");

        browser.Fixed = true;
        await page.ClickAsync("#workflow-retry");

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/runs/{started.RunId}$"));
        await Expect(page.Locator("#run-state")).ToHaveTextAsync("succeeded");
        await page.ReloadAsync();
        await Expect(page.Locator("#workflow-run-graph g.node.state-succeeded")).ToHaveCountAsync(3);
        await Expect(page.Locator("#workflow-steps tr[data-step=prepare]")).ToContainTextAsync($"#{prepared}");
        await Expect(page.Locator("#workflow-actions")).ToHaveCountAsync(0); // Succeeded: nothing left to do.
        await Expect(page.Locator(".timeline")).ToContainTextAsync("workflow.retried");
        await DashboardBrowser.ScreenshotAsync(page, "workflow-run-retried");
    }
}

using System.Diagnostics;
using Kairos.Access;
using Kairos.Tests.Support;
using Microsoft.Playwright;

namespace Kairos.Tests.Server.Dashboard;

/// <summary>
/// One real server (Kestrel on loopback, a SQLite file) and one headless Debian Chromium driven by
/// Playwright, shared by a test class; each test opens its own browser context (its own cookies).
/// Playwright's own browsers are never downloaded: the tests use the system's Chromium, and are
/// skipped without it (<see cref="ChromiumFactAttribute"/>). The <c>flaky</c> handler fails until
/// <see cref="Fixed"/> is set, for the retry test.
/// </summary>
public sealed class DashboardBrowser : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    internal InProcessServer Server { get; private set; } = null!;
    public string AdminKey { get; private set; } = null!;
    public string ReadKey { get; private set; } = null!;
    public volatile bool Fixed;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumFactAttribute.ExecutablePath))
        {
            return; // Every test of the class reports itself skipped.
        }
        Server = await InProcessServer.StartAsync("""
            jobs:
              weekday-report:
                handler: noop
                triggers:
                  - cron: "0 9 * * MON-FRI"
                    timeZone: Europe/Paris
              nap:
                handler: sleep
              later:
                handler: noop
              flaky:
                handler: flaky
                retry: { maxAttempts: 1 }
              order-flow:
                workflow:
                  steps:
                    - id: validate
                      handler: echo
                    - id: express
                      needs: [validate]
                      when: input.express == true
                      handler: echo
                    - id: pack
                      needs: [validate]
                      handler: echo
                      input: { sku: "{{input.sku}}" }
                    - id: ship
                      needs: [express, pack]
                      runIf: always
                      handler: noop
            """, k => k.AddHandler("flaky", _ => Fixed
                ? Task.FromResult<System.Text.Json.Nodes.JsonNode?>(new System.Text.Json.Nodes.JsonObject { ["fixed"] = true })
                : throw new InvalidOperationException("the flaky service is down")));
        AdminKey = (await Server.Client.CreateApiKeyAsync("ops", KairosScope.Admin)).Token;
        ReadKey = (await Server.Client.CreateApiKeyAsync("viewer", KairosScope.Read)).Token;
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumFactAttribute.ExecutablePath, Args = ChromiumArgs, Headless = true });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }
        _playwright?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    /// <summary>A page of a fresh context, not signed in.</summary>
    public async Task<IPage> NewPageAsync(int width = 1100)
    {
        var context = await _browser!.NewContextAsync(new() { BaseURL = Server.Url, ViewportSize = new() { Width = width, Height = 900 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        return page;
    }

    /// <summary>A page signed in with <paramref name="key"/> through the sign-in form, on the overview.</summary>
    public async Task<IPage> SignedInAsync(string key, int width = 1100)
    {
        var page = await NewPageAsync(width);
        await page.GotoAsync("/signin");
        await page.FillAsync("#key", key);
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Overview");
        return page;
    }

    /// <summary>
    /// Asserts the page does not scroll sideways at <paramref name="width"/> px (wide tables and graphs
    /// scroll inside their own box) once its layout settles (fonts loaded, live updates applied: up to
    /// 2 s); on failure, names the elements that stick out, the scrolling boxes themselves included.
    /// </summary>
    public static async Task AssertFitsAsync(IPage page, int width, string what)
    {
        // One pixel of slack, as for the elements named below: a box ending at a fractional pixel
        // (375.4) rounds the page's scroll width up (376) without anything visibly sticking out.
        var fits = $"document.documentElement.scrollWidth <= {width + 1}";
        await page.EvaluateAsync("document.fonts.ready.then(() => true)");
        // Polled from here: the dashboard's content security policy refuses the string evaluation WaitForFunctionAsync uses.
        var settled = Stopwatch.StartNew();
        while (!await page.EvaluateAsync<bool>(fits))
        {
            if (settled.Elapsed > TimeSpan.FromSeconds(2))
            {
                var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
                var outside = await page.EvaluateAsync<string>(
                    $"[...document.querySelectorAll('body *')].filter(e => !e.parentElement?.closest('.scroll') && e.getBoundingClientRect().right > {width + 1}).slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ')");
                Assert.Fail($"{what} is {scrollWidth} px wide, wider than {width} px: {outside}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Saves what the page shows now as <c>.artifacts/screenshots/NAME.png</c>, a test artifact.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var directory = RepositoryRoot.File(".artifacts", "screenshots");
        Directory.CreateDirectory(directory);
        await page.ScreenshotAsync(new() { Path = Path.Combine(directory, name + ".png"), FullPage = true });
    }
}

using Kairos.Access;
using Kairos.Client;
using Kairos.Server.Access;
using Kairos.Server.Dashboard.Pages;
using Kairos.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Server.Dashboard;

/// <summary>
/// Creating, editing and deleting webhooks: the form (<c>/webhooks/new</c>, <c>/webhooks/edit?name=</c>),
/// its save (checked by <see cref="WebhookForm"/> with the engine's rules, then saved through the
/// client as the API saves it), and deleting after a confirmation page.
/// </summary>
internal static class WebhookFormPages
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/webhooks/new", (HttpContext context) => DashboardResults.Page<WebhookFormPage>(context, WebhookForm.Empty)).ForScope(KairosScope.Write);

        app.MapGet("/webhooks/edit", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            await FindAsync(context, kairos, ct) is { } hook
                ? DashboardResults.Page<WebhookFormPage>(context, WebhookForm.Of(hook))
                : Missing(context)).ForScope(KairosScope.Write);

        app.MapPost("/webhooks/save", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var posted = WebhookForm.Read(await context.Request.ReadFormAsync(ct));
            if (posted.Original is { } original)
            {
                posted = posted with { Existing = await kairos.GetWebhookAsync(original, ct) };
                if (posted.Existing is null)
                {
                    return Missing(context);
                }
            }
            else if (posted.Name.Length > 0 && await kairos.GetWebhookAsync(posted.Name, ct) is not null)
            {
                return DashboardResults.Page<WebhookFormPage>(context, posted with { Errors = new Dictionary<string, string>
                {
                    ["name"] = $"A webhook named '{posted.Name}' exists already: edit it, or choose another name.",
                } }, StatusCodes.Status400BadRequest);
            }
            var (hook, form) = posted.Build();
            if (form.Errors.Count > 0 || form.Refusal is not null)
            {
                return DashboardResults.Page<WebhookFormPage>(context, form, StatusCodes.Status400BadRequest);
            }
            try
            {
                await kairos.SaveWebhookAsync(hook, ct);
            }
            catch (Exception ex) when (ex is KairosValidationException or KairosConflictException or KairosForbiddenException)
            {
                return DashboardResults.Page<WebhookFormPage>(context, form with { Refusal = ex.Message }, StatusCodes.Status400BadRequest);
            }
            return DashboardResults.SeeOther(WebhookPages.Link(hook.Name) + "&saved=1");
        }).ForScope(KairosScope.Write);

        app.MapGet("/webhooks/delete", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            await FindAsync(context, kairos, ct) is { } hook
                ? DashboardResults.Page<ConfirmPage>(context, new ConfirmModel(
                    $"Delete the webhook {hook.Name}?",
                    $"POST /hooks/{hook.Name} is refused from then on, and jobs whose trigger names it no longer run from it. Its past deliveries stay as history.",
                    "/webhooks/delete", [("name", hook.Name)], "Delete the webhook", WebhookPages.Link(hook.Name), "webhooks"))
                : Missing(context)).ForScope(KairosScope.Write);

        app.MapPost("/webhooks/delete", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var name = DashboardQuery.Field(await context.Request.ReadFormAsync(ct), "name", 400) ?? throw new KairosValidationException("the form names no webhook");
            return await kairos.DeleteWebhookAsync(name, ct) ? DashboardResults.SeeOther("/webhooks?deleted=1") : Missing(context);
        }).ForScope(KairosScope.Write);
    }

    public static string EditLink(string name) => "/webhooks/edit?name=" + Uri.EscapeDataString(name);

    private static async Task<WebhookDefinition?> FindAsync(HttpContext context, IKairosClient kairos, CancellationToken ct) =>
        DashboardQuery.Text(context.Request, "name", 400) is { } name ? await kairos.GetWebhookAsync(name, ct) : null;

    private static IResult Missing(HttpContext context) => DashboardResults.NotFound(context, "There is no such webhook (it may have just been deleted).");
}

using Kairos.Access;
using Kairos.Client;
using Kairos.Events;
using Kairos.Server.Access;
using Kairos.Server.Dashboard.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Server.Dashboard;

/// <summary>
/// Subscriptions: the list (<c>/subscriptions</c>), the form to create one or edit one
/// (<c>/subscriptions/new</c>, <c>/subscriptions/edit?name=</c>) and, on the form's post, saving,
/// previewing against recent events, and deleting after a confirmation page. A subscription a
/// completion trigger owns is listed but changed only through its job.
/// </summary>
internal static class SubscriptionPages
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/subscriptions", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var notice = context.Request.Query.ContainsKey("saved") ? "Saved." : context.Request.Query.ContainsKey("deleted") ? "Deleted." : null;
            var subscriptions = (await kairos.ListSubscriptionsAsync(ct)).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
            return DashboardResults.Page<SubscriptionsPage>(context, new SubscriptionsModel(subscriptions, notice));
        }).ForScope(KairosScope.Read);

        app.MapGet("/subscriptions/new", (HttpContext context) => DashboardResults.Page<SubscriptionFormPage>(context, SubscriptionForm.Empty)).ForScope(KairosScope.Write);

        app.MapGet("/subscriptions/edit", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            await FindAsync(context, kairos, ct) is { } subscription
                ? DashboardResults.Page<SubscriptionFormPage>(context, SubscriptionForm.Of(subscription))
                : Missing(context)).ForScope(KairosScope.Write);

        // One form, two buttons: "save" stores it, "preview" shows it again with the recent events it would take.
        app.MapPost("/subscriptions/save", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var raw = await context.Request.ReadFormAsync(ct);
            var form = await SubscriptionForm.Read(raw).CheckedAsync(kairos, ct);
            if (form.Errors.Count > 0)
            {
                return DashboardResults.Page<SubscriptionFormPage>(context, form, StatusCodes.Status400BadRequest);
            }
            if (raw["do"] == "preview")
            {
                return DashboardResults.Page<SubscriptionFormPage>(context, await form.PreviewedAsync(kairos, ct));
            }
            try
            {
                await kairos.SaveSubscriptionAsync(form.ToSubscription(), ct);
            }
            catch (Exception ex) when (ex is KairosValidationException or KairosConflictException)
            {
                return DashboardResults.Page<SubscriptionFormPage>(context, form with { Refusal = ex.Message }, StatusCodes.Status400BadRequest);
            }
            return DashboardResults.SeeOther("/subscriptions?saved=1");
        }).ForScope(KairosScope.Write);

        app.MapGet("/subscriptions/delete", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            await FindAsync(context, kairos, ct) is { } subscription
                ? DashboardResults.Page<ConfirmPage>(context, new ConfirmModel(
                    $"Delete the subscription {subscription.Name}?",
                    $"Events of type {subscription.Pattern} stop running {subscription.Job} through it. Runs it started stay as history.",
                    "/subscriptions/delete", [("name", subscription.Name)], "Delete the subscription", "/subscriptions", "subscriptions"))
                : Missing(context)).ForScope(KairosScope.Write);

        app.MapPost("/subscriptions/delete", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var name = DashboardQuery.Field(await context.Request.ReadFormAsync(ct), "name", 400) ?? throw new KairosValidationException("the form names no subscription");
            return await kairos.DeleteSubscriptionAsync(name, ct) ? DashboardResults.SeeOther("/subscriptions?deleted=1") : Missing(context);
        }).ForScope(KairosScope.Write);
    }

    public static string EditLink(string name) => "/subscriptions/edit?name=" + Uri.EscapeDataString(name);

    private static async Task<Subscription?> FindAsync(HttpContext context, IKairosClient kairos, CancellationToken ct) =>
        DashboardQuery.Text(context.Request, "name", 400) is { } name ? await kairos.GetSubscriptionAsync(name, ct) : null;

    private static IResult Missing(HttpContext context) => DashboardResults.NotFound(context, "There is no such subscription (it may have just been deleted).");
}

public sealed record SubscriptionsModel(IReadOnlyList<Subscription> Subscriptions, string? Notice);

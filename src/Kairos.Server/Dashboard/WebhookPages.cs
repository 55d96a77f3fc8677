using Kairos.Access;
using Kairos.Client;
using Kairos.Model;
using Kairos.Server.Access;
using Kairos.Server.Dashboard.Pages;
using Kairos.Storage;
using Kairos.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Server.Dashboard;

/// <summary>
/// <c>/webhooks</c>: the webhooks with how each verifies, what it fires, and the recent deliveries,
/// accepted or refused with the reason (<c>?hook=NAME</c>: one hook's only). Deliveries are read
/// from the journal, newest first.
/// </summary>
internal static class WebhookPages
{
    public const int Shown = 50;

    /// <summary>Journal entries read per page: the deliveries of hooks the caller may not see are read, then left out.</summary>
    private const int Read = 500;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/webhooks", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, IKairosClient whole, CancellationToken ct) =>
        {
            var hooks = (await kairos.ListWebhooksAsync(ct)).OrderBy(h => h.Name, StringComparer.Ordinal).ToList();
            var only = DashboardQuery.Text(context.Request, "hook", 400);
            if (only is not null && hooks.All(h => h.Name != only))
            {
                return DashboardResults.NotFound(context, $"There is no webhook named '{only}'.");
            }
            var jobs = (await kairos.ListTriggersAsync(null, ct))
                .Where(t => t.Spec is WebhookTriggerSpec)
                .ToLookup(t => ((WebhookTriggerSpec)t.Spec).Hook, t => t.JobName);
            // The journal's webhook entries name no job, so a namespace-bound client reads none of
            // them: they are read whole, and only the hooks this caller lists are kept (the refusals
            // of unknown names only for a caller of every namespace).
            var visible = hooks.Select(h => h.Name).ToHashSet(StringComparer.Ordinal);
            if (kairos.Namespace is null)
            {
                visible.Add(WebhookRefusals.UnknownHook);
            }
            var entries = await whole.ListJournalAsync(new JournalQuery { Kinds = WebhookDeliveryLine.Kinds, NewestFirst = true, Limit = Read }, ct);
            var deliveries = entries.Select(WebhookDeliveryLine.Of)
                .OfType<WebhookDeliveryLine>()
                .Where(d => only is null ? visible.Contains(d.Hook) : d.Hook == only)
                .Take(Shown)
                .ToList();
            var rows = hooks.Where(h => only is null || h.Name == only).Select(h => new WebhookRow(h, jobs[h.Name].ToList())).ToList();
            var notice = context.Request.Query.ContainsKey("saved") ? "Saved." : context.Request.Query.ContainsKey("deleted") ? "Deleted." : null;
            return DashboardResults.Page<WebhooksPage>(context, new WebhooksModel(rows, deliveries, only, notice));
        }).ForScope(KairosScope.Read);
    }

    public static string Link(string hook) => "/webhooks?hook=" + Uri.EscapeDataString(hook);

    /// <summary>How a hook checks who sent a delivery, in words.</summary>
    public static string Verification(WebhookDefinition hook) =>
        WebhookOptionNames.Name(WebhookOptionNames.Verifications, hook.Verification)
        + (hook.Secret is { } secret ? ", secret " + secret.Describe() : "");
}

/// <summary>A webhook with the jobs its deliveries run.</summary>
public sealed record WebhookRow(WebhookDefinition Hook, IReadOnlyList<string> Jobs);

/// <summary>The webhooks page: its hooks (one when <see cref="Only"/> is set) and their newest deliveries.</summary>
public sealed record WebhooksModel(IReadOnlyList<WebhookRow> Hooks, IReadOnlyList<WebhookDeliveryLine> Deliveries, string? Only, string? Notice);

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kairos.Server.Dashboard;

/// <summary>
/// The web dashboard served at <c>/</c>: Razor components rendered on the server, one form per
/// action, a small script for live run pages (server-sent events) and the payload check, and no
/// other asset. It reads and acts only through the request's <c>IKairosClient</c>, bound by
/// <see cref="DashboardAccess"/> exactly as the API binds its own. See docs/dashboard.md.
/// </summary>
internal static class WebDashboard
{
    public static void AddServices(IServiceCollection services)
    {
        services.AddRazorComponents();
        services.AddDataProtection().SetApplicationName("Kairos");
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new MemoryKeyRepository());
        // Keys that never leave memory need no encryption at rest: the warning that they have none says nothing here.
        services.AddLogging(b => b.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "kairos_antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "_token";
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest; // The default never marks it Secure, even over HTTPS.
        });
        services.AddSingleton<DashboardSession>();
        services.AddSingleton<LiveStreamSlots>();
    }

    public static void UseAccess(IApplicationBuilder app) => app.UseMiddleware<DashboardAccess>();

    public static void Map(IEndpointRouteBuilder app)
    {
        DashboardAssets.Map(app);
        SignInEndpoints.Map(app);
        OverviewEndpoints.Map(app);
        JobPages.Map(app);
        JobActions.Map(app);
        RunPages.Map(app);
        RunActions.Map(app);
        WorkflowActions.Map(app);
        RunLiveStream.Map(app);
        EventPages.Map(app);
        EventActions.Map(app);
        SubscriptionPages.Map(app);
        WebhookPages.Map(app);
        WebhookFormPages.Map(app);
        KeyPages.Map(app);
    }
}

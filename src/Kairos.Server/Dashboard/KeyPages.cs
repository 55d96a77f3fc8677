using Kairos.Access;
using Kairos.Client;
using Kairos.Server.Access;
using Kairos.Server.Dashboard.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Server.Dashboard;

/// <summary>
/// API keys and namespaces, for admins only (<c>/keys</c>): the keys without their secrets, the
/// namespaces in use, a form to create a key (its token shown once, on the page that answers the
/// form, and never again) and revoking after a confirmation page.
/// </summary>
internal static class KeyPages
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/keys", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            await ShowAsync(context, kairos, KeyForm.Empty, StatusCodes.Status200OK, ct)).ForScope(KairosScope.Admin);

        app.MapPost("/keys/create", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var now = kairos.Clock.GetUtcNow();
            var form = KeyForm.Read(await context.Request.ReadFormAsync(ct)).Checked(now);
            if (form.Errors.Count > 0)
            {
                return await ShowAsync(context, kairos, form, StatusCodes.Status400BadRequest, ct);
            }
            var (scope, expiresAt) = form.Parsed(now);
            CreatedApiKey created;
            try
            {
                created = await kairos.CreateApiKeyAsync(form.Name, scope, expiresAt, form.NamespaceList, ct);
            }
            catch (Exception ex) when (ex is KairosValidationException or KairosConflictException)
            {
                return await ShowAsync(context, kairos, form with { Refusal = ex.Message }, StatusCodes.Status400BadRequest, ct);
            }
            // The token is in this answer only: no cache may keep it.
            context.Response.Headers.CacheControl = "no-store";
            return DashboardResults.Page<KeyCreatedPage>(context, created);
        }).ForScope(KairosScope.Admin);

        app.MapGet("/keys/revoke", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var name = DashboardQuery.Text(context.Request, "name");
            if (name is null || (await kairos.ListApiKeysAsync(ct)).All(k => k.Name != name))
            {
                return DashboardResults.NotFound(context, $"There is no key named '{name}'.");
            }
            var yours = DashboardResults.Frame(context).Caller?.Name == name ? " It is the key you are signed in with: you will be signed out." : "";
            return DashboardResults.Page<ConfirmPage>(context, new ConfirmModel($"Revoke the key {name}?",
                $"Every request and dashboard session using it is refused from now on; this cannot be undone (create a new key instead).{yours}",
                "/keys/revoke", [("name", name)], "Revoke the key", "/keys", "keys"));
        }).ForScope(KairosScope.Admin);

        app.MapPost("/keys/revoke", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var name = DashboardQuery.Field(await context.Request.ReadFormAsync(ct), "name") ?? throw new KairosValidationException("the form names no key");
            return await kairos.RevokeApiKeyAsync(name, ct)
                ? DashboardResults.SeeOther("/keys?revoked=1")
                : DashboardResults.NotFound(context, $"There is no key named '{name}' (it may have just been revoked).");
        }).ForScope(KairosScope.Admin);
    }

    private static async Task<IResult> ShowAsync(HttpContext context, IKairosClient kairos, KeyForm form, int status, CancellationToken ct)
    {
        var keys = (await kairos.ListApiKeysAsync(ct)).OrderBy(k => k.Name, StringComparer.Ordinal).ToList();
        // A namespace exists while something is named in it: the jobs' names and the keys bound to it say which.
        var namespaces = (await kairos.ListJobsAsync(ct)).Select(j => Namespaces.Of(j.Definition.Name))
            .Concat(keys.SelectMany(k => k.Namespaces ?? []))
            .Append(Namespaces.Default)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(ns => new NamespaceLine(ns, keys.Where(k => k.Namespaces?.Contains(ns) == true).Select(k => k.Name).ToList()))
            .ToList();
        var notice = context.Request.Query.ContainsKey("revoked") ? "Revoked." : null;
        return DashboardResults.Page<KeysPage>(context, new KeysModel(keys, namespaces, form, notice), status);
    }
}

/// <summary>A namespace in use, with the keys bound to it (keys of every namespace are not listed).</summary>
public sealed record NamespaceLine(string Name, IReadOnlyList<string> Keys);

public sealed record KeysModel(IReadOnlyList<ApiKey> Keys, IReadOnlyList<NamespaceLine> Namespaces, KeyForm Form, string? Notice);

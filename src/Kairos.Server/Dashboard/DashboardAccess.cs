using Kairos.Access;
using Kairos.Client;
using Kairos.Configuration;
using Kairos.Server.Access;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Kairos.Server.Dashboard;

/// <summary>
/// The dashboard's one gate, before every dashboard endpoint (<see cref="DashboardPage"/>):
/// <list type="number">
/// <item>a POST must carry the antiforgery token of a form this dashboard rendered (else a 400 page);</item>
/// <item>the caller is the holder of the session's API key, or, while no key exists, the local
/// admin of a request from this machine: the API's rule (<see cref="ApiKeyCallers"/>); without one, GETs go to the sign-in page;</item>
/// <item>the caller's scope must reach the endpoint's (a read-only key's forged POST gets a 403 page);</item>
/// <item>the request's client is bound to the caller, as the API binds it (<see cref="RequestCaller"/>).</item>
/// </list>
/// Failures become pages in words: a Kairos error its status, anything else a 500 page without internals (logged).
/// </summary>
internal sealed class DashboardAccess(RequestDelegate next, IKairosClient kairos, ApiSettings access, DashboardSession session, IAntiforgery antiforgery,
    ILogger<DashboardAccess> logger)
{
    public async Task InvokeAsync(HttpContext context, RequestCaller requestCaller)
    {
        var page = context.GetEndpoint()?.Metadata.GetMetadata<DashboardPage>();
        if (page is null)
        {
            await next(context);
            return;
        }
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        try
        {
            if (await RefusalAsync(context, page, requestCaller) is { } refusal)
            {
                await refusal.ExecuteAsync(context);
                return;
            }
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The browser went away (a closed live view): nothing to answer.
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            var (status, title) = ex switch
            {
                KairosNotFoundException => (StatusCodes.Status404NotFound, "Not found"),
                KairosConflictException => (StatusCodes.Status409Conflict, "Not possible now"),
                KairosForbiddenException => (StatusCodes.Status403Forbidden, "Not allowed"),
                KairosValidationException or BadHttpRequestException => (StatusCodes.Status400BadRequest, "Not valid"),
                _ => (StatusCodes.Status500InternalServerError, "Something went wrong"),
            };
            if (status == StatusCodes.Status500InternalServerError)
            {
                logger.LogError(ex, "Dashboard request {Method} {Path} failed", context.Request.Method, context.Request.Path);
            }
            var message = status == StatusCodes.Status500InternalServerError ? "The server failed to answer this page; its log says why." : ex.Message;
            await DashboardResults.Problem(context, status, title, message).ExecuteAsync(context);
        }
    }

    private async Task<IResult?> RefusalAsync(HttpContext context, DashboardPage page, RequestCaller requestCaller)
    {
        var changes = !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method);
        if (changes && await FormRefusalAsync(context) is { } formRefusal)
        {
            return formRefusal;
        }
        if (page.Open)
        {
            return null;
        }
        if (await CallerAsync(context) is not { } caller)
        {
            session.SignOut(context);
            return DashboardResults.SeeOther(changes ? "/signin" : "/signin?then=" + Uri.EscapeDataString(context.Request.Path + context.Request.QueryString));
        }
        var required = context.GetEndpoint()?.Metadata.GetMetadata<RequiredScope>()?.Scope ?? KairosScope.Admin;
        requestCaller.Bind(kairos, caller, asked: null);
        if (!caller.Holds(required))
        {
            return DashboardResults.Problem(context, StatusCodes.Status403Forbidden, "Not allowed",
                $"This needs a key with scope {required.ToWire()}; you are signed in as '{caller.Name}' with scope {caller.Scope.ToWire()}.");
        }
        return null;
    }

    private async Task<IResult?> FormRefusalAsync(HttpContext context)
    {
        try
        {
            return await antiforgery.IsRequestValidAsync(context) ? null : DashboardResults.Problem(context, StatusCodes.Status400BadRequest, "Form refused",
                "This form did not come from this dashboard, or it has expired. Go back, reload the page and try again.");
        }
        catch (AntiforgeryValidationException ex) when (ex.InnerException is InvalidDataException unreadable)
        {
            // The body is not a form the framework reads (a NUL character, a value over its length limit): the sender's fault, not a 500.
            return DashboardResults.Problem(context, StatusCodes.Status400BadRequest, "Form refused", $"This form could not be read: {unreadable.Message}");
        }
    }

    private async Task<KairosCaller?> CallerAsync(HttpContext context) =>
        session.ApiKey(context) is { } key
            ? await ApiKeyCallers.FromKeyAsync(kairos, access, key, context.RequestAborted)
            : (await ApiKeyCallers.WithoutKeyAsync(kairos, access, context)).Caller;
}

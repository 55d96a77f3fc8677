using Kairos.Client;
using Kairos.Server.Access;
using Kairos.Server.Dashboard.Pages;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Server.Dashboard;

/// <summary>Renders dashboard pages: a page component given the request's <see cref="DashboardFrame"/> and its model.</summary>
internal static class DashboardResults
{
    public static DashboardFrame Frame(HttpContext context)
    {
        var services = context.RequestServices;
        var tokens = services.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        var caller = services.GetRequiredService<RequestCaller>().Caller;
        var signedIn = services.GetRequiredService<DashboardSession>().ApiKey(context) is not null;
        return new DashboardFrame(caller, signedIn, tokens.FormFieldName, tokens.RequestToken!, services.GetRequiredService<IKairosClient>().Clock.GetUtcNow());
    }

    /// <summary>The page <typeparamref name="TPage"/> (a component with <c>Frame</c> and <c>Model</c> parameters).</summary>
    public static IResult Page<TPage>(HttpContext context, object model, int status = StatusCodes.Status200OK) where TPage : IComponent =>
        new RazorComponentResult<TPage>(new Dictionary<string, object?> { ["Frame"] = Frame(context), ["Model"] = model }) { StatusCode = status };

    /// <summary>A page saying what went wrong, in words for a person; never internals.</summary>
    public static IResult Problem(HttpContext context, int status, string title, string message) =>
        Page<ProblemPage>(context, new ProblemModel(title, message), status);

    public static IResult NotFound(HttpContext context, string message) => Problem(context, StatusCodes.Status404NotFound, "Not found", message);

    /// <summary>After a change: back to a page with GET, so a reload does not send the form again.</summary>
    public static IResult SeeOther(string url) => new SeeOtherResult(url);

    private sealed class SeeOtherResult(string url) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = StatusCodes.Status303SeeOther;
            context.Response.Headers.Location = url;
            return Task.CompletedTask;
        }
    }
}

/// <summary>The problem page's words.</summary>
public sealed record ProblemModel(string Title, string Message);

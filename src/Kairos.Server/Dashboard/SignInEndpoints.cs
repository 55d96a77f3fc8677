using Kairos.Client;
using Kairos.Configuration;
using Kairos.Server.Access;
using Kairos.Server.Dashboard.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Kairos.Server.Dashboard;

/// <summary>Sign-in with an API key into a cookie session (<see cref="DashboardSession"/>), and sign-out.</summary>
internal static class SignInEndpoints
{
    private const int MaxKeyLength = 512;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/signin", (HttpContext context) => DashboardResults.Page<SignInPage>(context, new SignInModel(Then(context.Request.Query["then"]), null))).ForAnyone();

        app.MapPost("/signin", async (HttpContext context, IKairosClient kairos, ApiSettings access, DashboardSession session) =>
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            var then = Then(form["then"]);
            var key = form["key"].FirstOrDefault()?.Trim();
            // One message for every refusal: it must not help someone guessing keys.
            if (string.IsNullOrEmpty(key) || key.Length > MaxKeyLength || await ApiKeyCallers.FromKeyAsync(kairos, access, key, context.RequestAborted) is null)
            {
                return DashboardResults.Page<SignInPage>(context, new SignInModel(then, "That API key was not accepted. Check it and try again."), StatusCodes.Status401Unauthorized);
            }
            session.SignIn(context, key);
            return DashboardResults.SeeOther(then);
        }).ForAnyone();

        app.MapPost("/signout", (HttpContext context, DashboardSession session) =>
        {
            session.SignOut(context);
            return DashboardResults.SeeOther("/signin");
        }).ForAnyone();
    }

    /// <summary>Where to go after signing in: a path of this site only (<see cref="LocalAddress"/>), else the overview.</summary>
    private static string Then(string? asked) => LocalAddress.IsLocal(asked) ? asked! : "/";
}

/// <summary>The sign-in form: where to go after, and why the last try was refused.</summary>
public sealed record SignInModel(string Then, string? Refusal);

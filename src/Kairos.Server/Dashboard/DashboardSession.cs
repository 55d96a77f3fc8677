using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace Kairos.Server.Dashboard;

/// <summary>
/// A signed-in person's session: their API key, encrypted and signed by ASP.NET Core data
/// protection, in an HttpOnly, SameSite=Strict cookie that expires with the browser or after
/// <see cref="Lifetime"/>. The key itself is checked again at every request, so a revoked or
/// expired key ends its sessions at once. The protection keys live in memory: a restart of the
/// server signs everyone out.
/// </summary>
internal sealed class DashboardSession(IDataProtectionProvider protection)
{
    public const string Cookie = "kairos_session";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private readonly ITimeLimitedDataProtector _protector = protection.CreateProtector("Kairos.Dashboard.Session").ToTimeLimitedDataProtector();

    public void SignIn(HttpContext context, string apiKey) =>
        context.Response.Cookies.Append(Cookie, _protector.Protect(apiKey, Lifetime), Options(context));

    public void SignOut(HttpContext context) => context.Response.Cookies.Delete(Cookie, Options(context));

    /// <summary>The API key of the request's session; null without one, or when the cookie was altered or has expired.</summary>
    public string? ApiKey(HttpContext context)
    {
        if (context.Request.Cookies[Cookie] is not { Length: > 0 and < 4096 } cookie)
        {
            return null;
        }
        try
        {
            return _protector.Unprotect(cookie);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static CookieOptions Options(HttpContext context) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = "/",
        IsEssential = true,
    };
}

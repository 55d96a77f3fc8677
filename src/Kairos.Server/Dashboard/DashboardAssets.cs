using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Kairos.Server.Dashboard;

/// <summary>
/// The stylesheet and script, embedded in the assembly (see the project file) and read once, so
/// <c>kairos serve</c> shows the dashboard from any working directory and with no network.
/// </summary>
internal static class DashboardAssets
{
    private static readonly (string Name, string ContentType)[] Files = [("dashboard.css", "text/css; charset=utf-8"), ("dashboard.js", "text/javascript; charset=utf-8")];

    public static void Map(IEndpointRouteBuilder app)
    {
        foreach (var (name, contentType) in Files)
        {
            var content = Read(name);
            app.MapGet("/assets/" + name, (HttpContext context) =>
            {
                context.Response.Headers.CacheControl = "no-cache";
                return Results.Bytes(content, contentType);
            }).ForAnyone();
        }
    }

    private static byte[] Read(string name)
    {
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream("Kairos.Dashboard." + name)
            ?? throw new InvalidOperationException($"the dashboard asset {name} is not embedded in the assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

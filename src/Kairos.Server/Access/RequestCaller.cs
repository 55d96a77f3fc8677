using Kairos.Access;
using Kairos.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Server.Access;

/// <summary>
/// Who the current request acts for, set by <see cref="ApiKeyAuthentication"/>. API endpoints take
/// the client bound to it (<c>[FromKeyedServices(RequestCaller.Client)] IKairosClient</c>); a request
/// that was never authenticated gets a caller with no power, so a mistake fails closed.
/// </summary>
internal sealed class RequestCaller
{
    public const string Client = "request-caller";

    // Scope 0 is below every scope: it holds none.
    private static readonly KairosCaller Nobody = new("anonymous", 0);

    public KairosCaller? Caller { get; set; }

    public static void Register(IServiceCollection services)
    {
        services.AddScoped<RequestCaller>();
        services.AddKeyedScoped<IKairosClient>(Client, (sp, _) =>
            sp.GetRequiredService<IKairosClient>().As(sp.GetRequiredService<RequestCaller>().Caller ?? Nobody));
    }
}

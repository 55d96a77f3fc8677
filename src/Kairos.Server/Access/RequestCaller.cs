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

    public KairosCaller? Caller { get; private set; }

    /// <summary>The namespace the request works in (null: the whole database), checked against <see cref="Caller"/>.</summary>
    public string? Namespace { get; private set; }

    /// <summary>
    /// Binds the request to <paramref name="caller"/> in the namespace it asks for with <c>?namespace=</c>;
    /// without one, a key bound to namespaces works in its first, and a key of every namespace in the
    /// whole database. Throws (400, 404) when the namespace is malformed or not the caller's.
    /// </summary>
    public void Bind(IKairosClient kairos, KairosCaller caller, string? asked)
    {
        var ns = asked ?? caller.Namespaces?[0];
        _ = kairos.As(caller).In(ns);
        (Caller, Namespace) = (caller, ns);
    }

    public static void Register(IServiceCollection services)
    {
        services.AddScoped<RequestCaller>();
        services.AddKeyedScoped<IKairosClient>(Client, (sp, _) =>
        {
            var request = sp.GetRequiredService<RequestCaller>();
            return request.Caller is { } caller ? sp.GetRequiredService<IKairosClient>().As(caller).In(request.Namespace) : sp.GetRequiredService<IKairosClient>().As(Nobody);
        });
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Server;

/// <summary>
/// The OpenAPI document of the HTTP API, generated from the endpoints' declarations and served at
/// <c>/openapi/v1.json</c> without a key: it describes what every server of this version offers and
/// holds nothing of this server's (no job, key or secret). Endpoints that read their body themselves
/// declare it with <c>Accepts</c>, so the document shows every request body.
/// </summary>
internal static class ApiDocument
{
    public const string Path = "/openapi/v1.json";

    public static void Add(IServiceCollection services) =>
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Kairos";
            document.Info.Description = "Jobs, runs, events, subscriptions, webhooks, keys and secrets of a Kairos server (see docs/api.md). Requests carry 'Authorization: Bearer KEY'.";
            return Task.CompletedTask;
        }));

    public static void Map(WebApplication app) => app.MapOpenApi();
}

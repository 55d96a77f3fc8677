using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Kairos.Server;

/// <summary>
/// The OpenAPI document of the HTTP API, generated from the endpoints' declarations and served at
/// <c>/openapi/v1.json</c> without a key: it describes what every server of this version offers and
/// holds nothing of this server's (no job, key or secret). Endpoints that read their body themselves
/// say so with <see cref="ReadsBody{T}"/>, so the document shows every request body.
/// </summary>
internal static class ApiDocument
{
    public static void Add(IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Kairos";
                document.Info.Description = "Jobs, runs, events, subscriptions, webhooks, keys and secrets of a Kairos server (see docs/api.md). Requests under /api carry 'Authorization: Bearer KEY'.";
                return Task.CompletedTask;
            });
            o.AddSchemaTransformer(PollTriggerSchema.TransformAsync);
            o.AddOperationTransformer(ApiErrorResponses.TransformAsync);
            o.AddOperationTransformer(async (operation, context, ct) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<BodyRead>().FirstOrDefault() is { } body)
                {
                    var schema = await context.GetOrCreateSchemaAsync(body.Type, null, ct);
                    operation.RequestBody = new OpenApiRequestBody
                    {
                        Content = body.ContentTypes.ToDictionary(type => type, _ => new OpenApiMediaType { Schema = schema }),
                    };
                }
            });
        });

    public static void Map(WebApplication app) => app.MapOpenApi();

    /// <summary>
    /// Declares, for the document only, the body an endpoint reads by hand (<c>application/json</c>
    /// unless other content types are named). Not <c>Accepts</c>: that also turns away requests of
    /// other content types at routing, and these endpoints take whatever they are sent.
    /// </summary>
    public static RouteHandlerBuilder ReadsBody<T>(this RouteHandlerBuilder endpoint, params string[] contentTypes) =>
        endpoint.WithMetadata(new BodyRead(typeof(T), contentTypes.Length == 0 ? ["application/json"] : contentTypes));

    private sealed record BodyRead(Type Type, IReadOnlyList<string> ContentTypes);
}

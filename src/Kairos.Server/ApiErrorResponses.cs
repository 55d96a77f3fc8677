using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Kairos.Server;

/// <summary>
/// The error answers of the API in the OpenAPI document, each an <c>application/problem+json</c> body. What every
/// <c>/api</c> endpoint may answer follows from its shape, so it is added here once: 401 and 403 (the key, its scope
/// or namespace), 400 when it takes parameters or a body, 404 when its path names something, 413 and 415 when it reads
/// a body. Others (409) are declared by the endpoints that answer them (<c>ProducesProblem</c>).
/// </summary>
internal static class ApiErrorResponses
{
    public static async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var path = "/" + (context.Description.RelativePath ?? "");
        if (!path.StartsWith("/api/", StringComparison.Ordinal) && path != "/api")
        {
            return;
        }
        var problem = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, ct);
        operation.Responses ??= [];
        void Add(int status, string description)
        {
            operation.Responses.TryAdd(status.ToString(System.Globalization.CultureInfo.InvariantCulture), new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = problem } },
            });
        }
        var readsBody = operation.RequestBody is not null;
        if (readsBody || operation.Parameters is { Count: > 0 })
        {
            Add(StatusCodes.Status400BadRequest, "a parameter or the body is not valid: the detail names it");
        }
        Add(StatusCodes.Status401Unauthorized, "no key, or a key that is unknown, revoked or expired");
        Add(StatusCodes.Status403Forbidden, "the key's scope or namespaces do not reach this");
        if (path.Contains('{', StringComparison.Ordinal))
        {
            Add(StatusCodes.Status404NotFound, "what the path names does not exist (or is in a namespace the key may not see)");
        }
        if (readsBody)
        {
            Add(StatusCodes.Status413PayloadTooLarge, "the body is larger than api.maxBodyBytes");
            Add(StatusCodes.Status415UnsupportedMediaType, "the body is not sent as JSON");
        }
    }
}

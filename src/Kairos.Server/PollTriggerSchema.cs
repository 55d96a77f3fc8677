using Kairos.Configuration.Schema;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Kairos.Server;

/// <summary>
/// A poll trigger's <c>poll:</c> in the OpenAPI document. The schema holds it as free JSON (it is text or one of two
/// objects), which the generator can only show as "anything"; here it is described as what it may be: a registered
/// poller's name, <c>{http: {...}}</c> or <c>{sql: {...}}</c>, each with its fields.
/// </summary>
internal static class PollTriggerSchema
{
    public static async Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        if (context.JsonTypeInfo.Type != typeof(TriggerDocument) || schema.Properties is null)
        {
            return;
        }
        var http = await context.GetOrCreateSchemaAsync(typeof(PollHttpDocument), null, ct);
        var sql = await context.GetOrCreateSchemaAsync(typeof(PollSqlDocument), null, ct);
        schema.Properties["poll"] = new OpenApiSchema
        {
            Description = "a poll trigger: what it polls every 'every' (see docs/configuration.md)",
            OneOf =
            [
                new OpenApiSchema { Type = JsonSchemaType.String, Description = "the name of a poller registered in the host" },
                Wrapped("http", http, "an HTTP GET whose status, or a field of whose JSON answer, decides whether the job runs"),
                Wrapped("sql", sql, "a SQL query whose new rows after the watermark each run the job (an admin key and api.allowCommandJobs)"),
            ],
        };
    }

    private static OpenApiSchema Wrapped(string key, IOpenApiSchema inner, string description) => new()
    {
        Type = JsonSchemaType.Object,
        Description = description,
        Properties = new Dictionary<string, IOpenApiSchema> { [key] = inner },
        Required = new HashSet<string> { key },
        AdditionalPropertiesAllowed = false,
    };
}

using Kairos.Access;
using Kairos.Client;
using Kairos.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Server.Api;

/// <summary>/api/secrets: set, list (names only), delete, rotate. Admin only; no endpoint returns a value.</summary>
internal static class SecretsEndpoints
{
    public sealed record SecretBody(string? Value);

    public static void Map(IEndpointRouteBuilder api)
    {
        var secrets = api.MapGroup("/secrets");

        secrets.MapGet("/", async ([FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            Results.Ok(await kairos.ListSecretsAsync(ct))).Requires(KairosScope.Admin).Produces<List<Kairos.Secrets.SecretInfo>>();

        secrets.MapPut("/{name}", async (string name, SecretBody? body, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            await kairos.SetSecretAsync(name, body?.Value ?? throw new KairosValidationException("value is required"), ct);
            return Results.NoContent();
        }).Requires(KairosScope.Admin).Produces(StatusCodes.Status204NoContent);

        secrets.MapDelete("/{name}", async (string name, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            await kairos.DeleteSecretAsync(name, ct)
                ? Results.NoContent()
                : throw new KairosNotFoundException($"secret '{name}' is not stored")).Requires(KairosScope.Admin).Produces(StatusCodes.Status204NoContent);

        secrets.MapPost("/rotate", async ([FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            Results.Ok(new { rotated = await kairos.RotateSecretsAsync(ct) })).Requires(KairosScope.Admin).Produces(StatusCodes.Status200OK);
    }
}

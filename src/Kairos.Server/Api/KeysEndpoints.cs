using Kairos.Access;
using Kairos.Client;
using Kairos.Configuration;
using Kairos.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Server.Api;

/// <summary>/api/keys: create (the token is in the answer, once), list, revoke. Admin only.</summary>
internal static class KeysEndpoints
{
    /// <param name="Expires">When the key stops working: an instant (ISO 8601) or a duration from now ("90d").</param>
    /// <param name="Namespaces">The only namespaces the key works in; left out: every one.</param>
    public sealed record KeyBody(string? Name, string? Scope, string? Expires, IReadOnlyList<string>? Namespaces);

    public static void Map(IEndpointRouteBuilder api)
    {
        var keys = api.MapGroup("/keys");

        keys.MapGet("/", async ([FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            Results.Ok((await kairos.ListApiKeysAsync(ct)).Select(KeyView.From))).Requires(KairosScope.Admin).Produces<List<KeyView>>();

        keys.MapPost("/", async (KeyBody? body, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var name = body?.Name ?? throw new KairosValidationException("name is required");
            var scope = KairosScopes.TryParse(body.Scope, out var s)
                ? s
                : throw new KairosValidationException($"scope must be {KairosScopes.Names}, not '{body.Scope}'");
            var created = await kairos.CreateApiKeyAsync(name, scope, Expiry(body.Expires, kairos.Clock.GetUtcNow()), body.Namespaces, ct);
            return Results.Created($"/api/keys/{created.Key.Name}", new CreatedKeyView(KeyView.From(created.Key), created.Token));
        }).Requires(KairosScope.Admin).Produces<CreatedKeyView>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status409Conflict);

        keys.MapDelete("/{name}", async (string name, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            await kairos.RevokeApiKeyAsync(name, ct)
                ? Results.NoContent()
                : throw new KairosNotFoundException($"key '{name}' does not exist")).Requires(KairosScope.Admin).Produces(StatusCodes.Status204NoContent);
    }

    private static DateTimeOffset? Expiry(string? text, DateTimeOffset now) =>
        text is null ? null
        : Durations.TryParseInstantOrDuration(text, now, out var at) ? at
        : throw new KairosValidationException($"expires '{text}' is neither a duration (90d) nor an instant (2027-01-31T00:00:00Z)");

    public sealed record KeyView(string Name, string Id, string Scope, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt,
        IReadOnlyList<string>? Namespaces)
    {
        public static KeyView From(ApiKey key) => new(key.Name, key.Id, key.Scope.ToWire(), key.CreatedAt, key.ExpiresAt, key.LastUsedAt, key.Namespaces);
    }

    /// <param name="Token">The key itself; it is not stored and cannot be shown again.</param>
    public sealed record CreatedKeyView(KeyView Key, string Token);
}

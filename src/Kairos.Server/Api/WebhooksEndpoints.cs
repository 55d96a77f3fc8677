using Kairos.Access;
using Kairos.Client;
using Kairos.Server.Access;
using Microsoft.Extensions.DependencyInjection;
using Kairos.Configuration;
using Kairos.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Kairos.Server.Api;

/// <summary>/api/webhooks: list, show, create or replace (PUT), delete. Secrets go in, never out.</summary>
internal static class WebhooksEndpoints
{
    public sealed record WebhookBody(string? Verify = null, string? Secret = null, string? SecretEnv = null, string? ReplayWindow = null, long? MaxBodyBytes = null,
        int? RateLimitRequests = null, string? RateLimitPer = null, List<string>? Headers = null, HmacBody? Hmac = null,
        string? Publish = null);

    /// <summary>The <c>hmac</c> settings as the YAML file spells them.</summary>
    public sealed record HmacBody(string? Header = null, string? Algorithm = null, string? Encoding = null, string? Prefix = null, string? SignedContent = null, string? TimestampHeader = null);

    public static void Map(IEndpointRouteBuilder api)
    {
        var hooks = api.MapGroup("/webhooks");

        hooks.MapGet("/", async ([FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            Results.Ok((await kairos.ListWebhooksAsync(ct)).Select(WebhookView.From))).Requires(KairosScope.Read).Produces<List<WebhookView>>();

        hooks.MapGet("/{name}", async (string name, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            Results.Ok(WebhookView.From(await kairos.GetWebhookAsync(name, ct) ?? throw new KairosNotFoundException($"webhook '{name}' does not exist")))).Requires(KairosScope.Read).Produces<WebhookView>();

        hooks.MapPut("/{name}", async (string name, HttpRequest request, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var b = await ApiJson.ReadAsync<WebhookBody>(request, "the webhook", ct) ?? new WebhookBody();
            var verification = Named(WebhookOptionNames.Verifications, b.Verify ?? "none", "verify");
            if (b.Secret is not null && b.SecretEnv is not null)
            {
                throw new KairosValidationException("give either secret or secretEnv, not both");
            }
            var hook = new WebhookDefinition(name)
            {
                Verification = verification,
                Secret = b.SecretEnv is { } env ? SecretSource.Environment(env) : b.Secret is { } secret ? SecretSource.FromText(secret) : null,
                Headers = b.Headers ?? [],
                Hmac = b.Hmac is { } h ? Hmac(h) : null,
                Publish = b.Publish,
            };
            if (b.ReplayWindow is { } window)
            {
                hook = hook with { ReplayWindow = Duration(window, "replayWindow") };
            }
            if (b.MaxBodyBytes is { } max)
            {
                hook = hook with { MaxBodyBytes = max };
            }
            if (b.RateLimitRequests is { } requests)
            {
                hook = hook with { RateLimit = new WebhookRateLimit(requests, Duration(b.RateLimitPer ?? "1s", "rateLimitPer")) };
            }
            await kairos.SaveWebhookAsync(hook, ct);
            return Results.Ok(WebhookView.From(hook));
        }).Requires(KairosScope.Write).ReadsBody<WebhookBody>().Produces<WebhookView>();

        hooks.MapDelete("/{name}", async (string name, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            await kairos.DeleteWebhookAsync(name, ct)
                ? Results.NoContent()
                : throw new KairosNotFoundException($"webhook '{name}' does not exist")).Requires(KairosScope.Write).Produces(StatusCodes.Status204NoContent);
    }

    private static HmacVerification Hmac(HmacBody h)
    {
        var hmac = new HmacVerification(h.Header ?? "") { Prefix = h.Prefix, TimestampHeader = h.TimestampHeader };
        if (h.Algorithm is { } algorithm)
        {
            hmac = hmac with { Algorithm = Named(WebhookOptionNames.Algorithms, algorithm, "hmac.algorithm") };
        }
        if (h.Encoding is { } encoding)
        {
            hmac = hmac with { Encoding = Named(WebhookOptionNames.Encodings, encoding, "hmac.encoding") };
        }
        return h.SignedContent is { } content ? hmac with { SignedContent = content } : hmac;
    }

    private static T Named<T>((string Name, T Value)[] names, string text, string field) where T : struct =>
        WebhookOptionNames.Find(names, text) ?? throw new KairosValidationException($"{field} '{text}' is not one of: {WebhookOptionNames.List(names)}");

    private static TimeSpan Duration(string text, string what) =>
        Durations.TryParse(text, out var d) && d > TimeSpan.Zero ? d : throw new KairosValidationException($"{what} '{text}' is not a duration such as 5m");
}

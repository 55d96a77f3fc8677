using Kairos.Client;
using Kairos.Configuration;
using Kairos.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Kairos.Server.Api;

/// <summary>/api/webhooks: list, show, create or replace (PUT), delete. Secrets go in, never out.</summary>
internal static class WebhooksEndpoints
{
    public sealed record WebhookBody(string? Verify = null, string? Secret = null, string? SecretEnv = null, string? ReplayWindow = null, long? MaxBodyBytes = null, int? RateLimitRequests = null, string? RateLimitPer = null, List<string>? Headers = null);

    public static void Map(IEndpointRouteBuilder api)
    {
        var hooks = api.MapGroup("/webhooks");

        hooks.MapGet("/", async (IKairosClient kairos, CancellationToken ct) =>
            Results.Ok((await kairos.ListWebhooksAsync(ct)).Select(WebhookView.From)));

        hooks.MapGet("/{name}", async (string name, IKairosClient kairos, CancellationToken ct) =>
            Results.Ok(WebhookView.From(await kairos.GetWebhookAsync(name, ct) ?? throw new KairosNotFoundException($"webhook '{name}' does not exist"))));

        hooks.MapPut("/{name}", async (string name, HttpRequest request, IKairosClient kairos, CancellationToken ct) =>
        {
            var b = await ApiJson.ReadAsync<WebhookBody>(request, "the webhook", ct) ?? new WebhookBody();
            var verification = (b.Verify ?? "none").ToLowerInvariant() switch
            {
                "none" => WebhookVerification.None,
                "github" => WebhookVerification.GitHub,
                "standard" => WebhookVerification.StandardWebhooks,
                "bearer" => WebhookVerification.Bearer,
                _ => throw new KairosValidationException($"verify '{b.Verify}' is not one of: none, github, standard, bearer"),
            };
            if (b.Secret is not null && b.SecretEnv is not null)
            {
                throw new KairosValidationException("give either secret or secretEnv, not both");
            }
            var hook = new WebhookDefinition(name)
            {
                Verification = verification,
                Secret = b.SecretEnv is { } env ? SecretSource.Environment(env) : b.Secret is { } secret ? SecretSource.Literal(secret) : null,
                Headers = b.Headers ?? [],
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
        });

        hooks.MapDelete("/{name}", async (string name, IKairosClient kairos, CancellationToken ct) =>
            await kairos.DeleteWebhookAsync(name, ct)
                ? Results.NoContent()
                : throw new KairosNotFoundException($"webhook '{name}' does not exist"));
    }

    private static TimeSpan Duration(string text, string what) =>
        Durations.TryParse(text, out var d) && d > TimeSpan.Zero ? d : throw new KairosValidationException($"{what} '{text}' is not a duration such as 5m");
}

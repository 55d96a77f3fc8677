using System.Globalization;
using Kairos.Client;
using Kairos.Configuration;
using Kairos.Model;
using Kairos.Server.Api;
using Kairos.Storage;
using Kairos.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Kairos.Server.Webhooks;

/// <summary>
/// <c>POST /hooks/{name}</c>. Checks run in this order: unknown hook 404, the rate limit of the
/// source address 429 with Retry-After, body over the hook's limit 413, signature 401 (with no hint
/// of what failed), the hook's rate limit 429, body declared as JSON that does not parse 400,
/// repeated delivery id 409, no bound job 404, every bound job paused 409. Nothing is stored for a
/// refusal before the last two: anyone can send those requests as fast as the network allows, so
/// they are counted (<see cref="IKairosClient.CountWebhookRefusal"/>) instead of journaled one by
/// one. An accepted delivery answers 202 with the run ids, or with <c>?wait=30s</c> 200 and the
/// runs' outcomes when they all finish in time.
/// </summary>
internal static class WebhookEndpoint
{
    public static void Map(IEndpointRouteBuilder app)
    {
        Describe(app.MapPost("/hooks/{name}", HandleAsync));
        // A hook of a namespace other than the default one is served under it: /hooks/billing/stripe.
        Describe(app.MapPost("/hooks/{ns}/{name}", (string ns, string name, HttpContext http, IKairosClient kairos, WebhookRateLimiter limiter, ILoggerFactory loggers, CancellationToken ct) =>
            HandleAsync($"{ns}/{name}", http, kairos, limiter, loggers, ct)));
    }

    /// <summary>For the OpenAPI document: the body is whatever the sender posts (JSON, a form, text), read by hand.</summary>
    private static void Describe(RouteHandlerBuilder endpoint) => endpoint
        .ReadsBody<System.Text.Json.Nodes.JsonNode>("application/json", "application/x-www-form-urlencoded", "text/plain")
        .Produces(StatusCodes.Status202Accepted)
        .Produces(StatusCodes.Status200OK)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status429TooManyRequests);

    private static async Task<IResult> HandleAsync(string name, HttpContext http, IKairosClient kairos, WebhookRateLimiter limiter, ILoggerFactory loggers, CancellationToken ct)
    {
        // The cluster's time (the database's), as for every other run: a node whose clock is off
        // must not make webhook runs due in the future or misjudge a signature's timestamp.
        var now = kairos.Clock.GetUtcNow();
        TimeSpan? wait = null;
        if (http.Request.Query["wait"].FirstOrDefault() is { } waitText)
        {
            if (!Durations.TryParse(waitText, out var parsed) || parsed > TimeSpan.FromMinutes(5))
            {
                return Problem(StatusCodes.Status400BadRequest, $"wait '{waitText}' is not a duration up to 5m, e.g. wait=30s");
            }
            wait = parsed;
        }
        var hook = await kairos.GetWebhookAsync(name, ct);
        if (hook is null)
        {
            return Refuse(kairos, name, WebhookRefusalReason.UnknownHook, StatusCodes.Status404NotFound, $"no webhook named '{name}'");
        }
        // The hook's rate limit counts each source address on its own until a delivery is verified:
        // forged requests must not use up the tokens of the real sender.
        if (hook.RateLimit is { } limit && !limiter.TryTakeForAddress(name, WebhookSourceAddress.Of(http), limit, out var addressRetryAfter))
        {
            return TooMany(http, kairos, name, WebhookRefusalReason.AddressRateLimited, limit, addressRetryAfter);
        }
        var body = await ReadBodyAsync(http, hook.MaxBodyBytes, ct);
        if (body is null)
        {
            return Refuse(kairos, name, WebhookRefusalReason.BodyTooLarge, StatusCodes.Status413PayloadTooLarge,
                $"the body is larger than this hook accepts ({hook.MaxBodyBytes} bytes)");
        }
        var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var verification = WebhookSignatures.Verify(hook, await kairos.ResolveWebhookSecretAsync(hook, ct), headers, body, now);
        if (!verification.Valid)
        {
            loggers.CreateLogger("Kairos.Webhooks").LogDebug("Webhook {Hook}: delivery refused: {Reason}", name, verification.Reason);
            return Refuse(kairos, name, verification.Refusal, StatusCodes.Status401Unauthorized, "the delivery could not be verified");
        }
        if (hook.RateLimit is { } hookLimit && !limiter.TryTakeForHook(name, hookLimit, out var retryAfter))
        {
            return TooMany(http, kairos, name, WebhookRefusalReason.RateLimited, hookLimit, retryAfter);
        }
        var payload = WebhookPayload.Build(hook, verification.DeliveryId, now, http.Request, body, out var payloadError);
        if (payload is null)
        {
            return Refuse(kairos, name, WebhookRefusalReason.InvalidBody, StatusCodes.Status400BadRequest, payloadError!);
        }

        var result = await kairos.AcceptWebhookAsync(new WebhookDelivery(name, verification.DeliveryId, payload.ToJsonString(), now)
        {
            RejectRepeatedId = hook.Verification == WebhookVerification.StandardWebhooks,
            ReplayKey = verification.ReplayKey,
            ReplayWindow = hook.ReplayWindow,
            SentAt = verification.SentAt,
            Publish = hook.Publish,
        }, ct);
        switch (result.Outcome)
        {
            case WebhookDeliveryOutcome.Replayed:
                return Refuse(kairos, name, WebhookRefusalReason.Replayed, StatusCodes.Status409Conflict, "this delivery was already received");
            case WebhookDeliveryOutcome.NoJobs:
                return Problem(StatusCodes.Status404NotFound, $"no job has a trigger for webhook '{name}'");
            case WebhookDeliveryOutcome.AllPaused:
                return Problem(StatusCodes.Status409Conflict, $"every job bound to webhook '{name}' is paused: {string.Join(", ", result.PausedJobs)}");
        }
        var runIds = result.Runs.Select(r => r.RunId).ToList();
        if (wait is { } limitWait)
        {
            // The wait runs on the engine's clock, as every other time here does.
            var runs = await kairos.WaitForRunsAsync(runIds, limitWait, ct);
            if (runs.Count == runIds.Count && runs.All(r => r.State.IsFinished()))
            {
                return Results.Ok(new { runs = runs.Select(RunView.From) });
            }
        }
        return Results.Accepted(null, new { runIds, skippedPausedJobs = result.PausedJobs });
    }

    /// <summary>The body, or null when it is larger than <paramref name="max"/> bytes (read no further than that).</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext http, long max, CancellationToken ct)
    {
        if (http.Request.ContentLength > max)
        {
            return null;
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = max + 1;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > max)
                {
                    return null;
                }
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
        return buffer.ToArray();
    }

    private static IResult TooMany(HttpContext http, IKairosClient kairos, string hook, WebhookRefusalReason reason, WebhookRateLimit limit, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Refuse(kairos, hook, reason, StatusCodes.Status429TooManyRequests,
            $"this hook accepts {limit.Requests} deliveries per {Durations.Format(limit.Per)}; retry after {seconds} s");
    }

    private static IResult Refuse(IKairosClient kairos, string hook, WebhookRefusalReason reason, int status, string detail)
    {
        kairos.CountWebhookRefusal(hook, reason);
        return Problem(status, detail);
    }

    private static IResult Problem(int status, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: status switch
        {
            StatusCodes.Status401Unauthorized => "Unauthorized",
            StatusCodes.Status404NotFound => "Not found",
            StatusCodes.Status409Conflict => "Conflict",
            StatusCodes.Status413PayloadTooLarge => "Payload too large",
            StatusCodes.Status429TooManyRequests => "Too many requests",
            _ => "Invalid request",
        });
}

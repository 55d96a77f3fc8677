using System.Text.Json;
using Kairos.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;

namespace Kairos.Server.Api;

/// <summary>
/// Turns failures into RFC 9457 problem+json with a message a person can act on: Kairos
/// exceptions map to 400/403/404/409, malformed JSON to 400, a bad request as the server saw it to its
/// own status (400, 413, 415), anything else to 500 without internals.
/// </summary>
internal sealed class ProblemResponses(RequestDelegate next, ILogger<ProblemResponses> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            var (status, title) = ex switch
            {
                KairosNotFoundException => (StatusCodes.Status404NotFound, "Not found"),
                KairosConflictException => (StatusCodes.Status409Conflict, "Conflict"),
                KairosForbiddenException => (StatusCodes.Status403Forbidden, "Forbidden"),
                KairosValidationException or KairosConfigException or JsonException => (StatusCodes.Status400BadRequest, "Invalid request"),
                // Kestrel's and the endpoints' own refusals: a body too large (413), not JSON (415), a query value that does not bind (400).
                BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status400BadRequest => (StatusCodes.Status400BadRequest, "Invalid request"),
                BadHttpRequestException bad => (bad.StatusCode, ReasonPhrases.GetReasonPhrase(bad.StatusCode)),
                _ => (StatusCodes.Status500InternalServerError, "Internal error"),
            };
            var detail = ex switch
            {
                _ when status == StatusCodes.Status500InternalServerError => "the server failed; see its log",
                BadHttpRequestException { InnerException: JsonException json } => json.Message, // Names the field: "… Path: $.maxBodyBytes".
                _ => ex.Message,
            };
            if (status == StatusCodes.Status500InternalServerError)
            {
                logger.LogError(ex, "Request {Method} {Path} failed", context.Request.Method, context.Request.Path);
            }
            await Write(context, status, title, detail);
        }
    }

    public static Task Write(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(
            new ProblemDetails { Status = status, Title = title, Detail = detail, Instance = context.Request.Path },
            (JsonSerializerOptions?)null, "application/problem+json");
    }
}

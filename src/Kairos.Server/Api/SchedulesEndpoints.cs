using System.Globalization;
using Kairos.Access;
using Kairos.Client;
using Kairos.Configuration;
using Kairos.Model;
using Kairos.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Server.Api;

/// <summary>/api/jobs/{name}/next and /api/jobs/{name}/backfill: a job's schedule ahead and behind.</summary>
internal static class SchedulesEndpoints
{
    /// <summary>The body of POST /api/jobs/{name}/backfill.</summary>
    /// <param name="From">The first scheduled time included (ISO 8601; UTC without an offset).</param>
    /// <param name="To">The end of the range, excluded.</param>
    /// <param name="Trigger">One trigger, by id or key; default every time trigger of the job.</param>
    /// <param name="Overlap">allow-all (default) or skip.</param>
    public sealed record BackfillBody(string? From = null, string? To = null, string? Trigger = null, string? Overlap = null);

    public static void Map(IEndpointRouteBuilder api)
    {
        var jobs = api.MapGroup("/jobs");

        // Read scope, like showing the job: it reads the stored triggers and computes, changing nothing.
        jobs.MapGet("/{name}/next", async (string name, int? count, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var next = await kairos.GetNextFireTimesAsync(name, count ?? 5, ct);
            return Results.Ok(new
            {
                job = next.JobName,
                paused = next.Paused,
                triggers = next.Triggers.Select(t => new
                {
                    id = t.TriggerId,
                    key = t.Key,
                    kind = t.Kind,
                    timeZone = t.TimeZone,
                    description = t.Description,
                    times = t.Times.Select(f => new { at = Iso(f.DueAt), utc = Iso(f.DueAt.ToUniversalTime()), scheduledAt = Iso(f.ScheduledAt) }),
                }),
            });
        }).Requires(KairosScope.Read).Produces(StatusCodes.Status200OK);

        // Run scope, like run now and event replay: it enqueues runs of a job as it is defined and changes no definition.
        jobs.MapPost("/{name}/backfill", async (string name, HttpRequest request, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var body = await ApiJson.ReadAsync<BackfillBody>(request, "the backfill request", ct);
            if (body?.From is null || body.To is null)
            {
                throw new KairosValidationException("the body needs from and to (ISO-8601 times, to excluded); optional: trigger (an id or key), overlap (allow-all or skip)");
            }
            var result = await kairos.BackfillAsync(new BackfillRequest(name, Instant(body.From, "from"), Instant(body.To, "to"))
            {
                Trigger = body.Trigger,
                Overlap = body.Overlap switch
                {
                    null or "allow-all" => BackfillOverlap.AllowAll,
                    "skip" => BackfillOverlap.Skip,
                    var other => throw new KairosValidationException($"overlap '{other}' is not allow-all or skip"),
                },
            }, ct);
            return Results.Ok(new { scheduled = result.Scheduled, enqueued = result.Enqueued, existing = result.Existing, skipped = result.Skipped });
        }).Requires(KairosScope.Run).ReadsBody<BackfillBody>().Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static DateTimeOffset Instant(string text, string field) =>
        Durations.TryParseInstant(text, out var at)
            ? at
            : throw new KairosValidationException($"{field} '{text}' is not an ISO-8601 time such as 2026-11-01T00:00:00Z");

    /// <summary>ISO 8601 with the instant's offset ("Z" for UTC), fractions only when there are some.</summary>
    internal static string Iso(DateTimeOffset at) =>
        at.Offset == TimeSpan.Zero
            ? at.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture)
            : at.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);
}

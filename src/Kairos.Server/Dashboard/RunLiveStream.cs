using System.Text.Json;
using Kairos.Access;
using Kairos.Client;
using Kairos.Model;
using Kairos.Server.Access;
using Kairos.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Server.Dashboard;

/// <summary>
/// <c>GET /runs/{id}/live</c>: server-sent events that keep a run's page current without a reload.
/// It sends <c>state</c> (the run's state, attempt, times, output and error) at once and whenever it
/// changes, <c>log</c> for each log line after the first <c>from</c> (those the page shows already),
/// and <c>end</c> once the run has finished, then closes. It reads the run through the client every
/// <see cref="PollInterval"/> on the engine's clock, so a viewer costs two small reads per interval
/// and nothing once the run is over. Like the page, it sends no line past <see cref="RunPages.MaxLogLines"/>:
/// after that a note says the log goes on.
/// </summary>
internal static class RunLiveStream
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/runs/{id}/live", async (string id, HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, RequestCaller caller,
            LiveStreamSlots slots, CancellationToken ct) =>
        {
            if (!long.TryParse(id, out var runId) || await kairos.GetRunAsync(runId, ct) is null)
            {
                return DashboardResults.NotFound(context, $"There is no run {id}.");
            }
            var from = DashboardQuery.Count(context.Request, "from", RunPages.MaxLogLines);
            using var slot = slots.TryTake(caller.Caller?.Name ?? "");
            if (slot is null)
            {
                return DashboardResults.Problem(context, StatusCodes.Status429TooManyRequests, "Too many live views",
                    $"At most {LiveStreamSlots.PerCaller} live views may be open at once for a key. Close some, or reload this page to see it as it is now.");
            }
            await StreamAsync(context, kairos, runId, from, ct);
            return Results.Empty;
        }).ForScope(KairosScope.Read);
    }

    private static async Task StreamAsync(HttpContext context, IKairosClient kairos, long runId, int from, CancellationToken ct)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var (sentLines, sentState) = (from, (string?)null);
        while (true)
        {
            var run = await kairos.GetRunAsync(runId, ct);
            if (run is null)
            {
                await SendAsync(response, "end", new { reason = "the run no longer exists" }, ct);
                return;
            }
            if (sentLines <= RunPages.MaxLogLines)
            {
                var window = new RunLogQuery { Skip = sentLines, Limit = RunPages.MaxLogLines - sentLines + 1, MaxLineChars = RunPages.MaxLogLineChars };
                foreach (var line in await kairos.GetRunLogAsync(runId, window, ct))
                {
                    var past = ++sentLines > RunPages.MaxLogLines;
                    await SendAsync(response, "log", past
                        ? new { at = line.At, stream = "kairos", text = $"[the log goes on past its first {RunPages.MaxLogLines} lines: reload the page for where to read it all]" }
                        : new { at = line.At, stream = line.Stream, text = line.Text }, ct);
                }
            }
            var state = JsonSerializer.Serialize(new
            {
                state = run.State.ToWire(),
                attempt = run.Attempt,
                maxAttempts = run.MaxAttempts,
                startedAt = run.StartedAt,
                finishedAt = run.FinishedAt,
                output = run.Output,
                error = run.Error,
            });
            if (state != sentState)
            {
                await SendRawAsync(response, "state", state, ct);
                sentState = state;
            }
            if (run.State.IsFinished())
            {
                await SendAsync(response, "end", new { reason = "finished" }, ct);
                return;
            }
            await Task.Delay(PollInterval, kairos.Clock, ct);
        }
    }

    private static Task SendAsync(HttpResponse response, string name, object data, CancellationToken ct) =>
        SendRawAsync(response, name, JsonSerializer.Serialize(data), ct);

    // JSON has no raw line breaks, so one "data:" line carries the whole event.
    private static async Task SendRawAsync(HttpResponse response, string name, string json, CancellationToken ct)
    {
        await response.WriteAsync($"event: {name}\ndata: {json}\n\n", ct);
        await response.Body.FlushAsync(ct);
    }
}

// Kairos inside an ordinary generic-host app: one SQLite file, a handler, a job declared in code.
// Run: dotnet run --project examples/LibraryHost   (Ctrl+C to stop)
using System.Text.Json.Nodes;
using Kairos.Client;
using Kairos.Executors;
using Kairos.Model;
using Kairos.Polling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddKairos(o => o.Workers = 4)
    .UseSqlite("library-host.db")
    .AddJob<DigestHandler>("send-digest", j => j
        .Cron("*/20 * * * * *")
        .Now()
        .Retry(5)
        .Timeout(TimeSpan.FromMinutes(1)))
    // A poll trigger: the registered poller "drop-folder" decides when to run the job, which reuses the digest handler.
    .AddJob("import-drops", new HandlerExecutorSpec("send-digest"), j => j.Trigger(new PollTriggerSpec { Poller = "drop-folder" }).MaxInstances(1))
    .AddPollTrigger<DropFolderPoller>();

using var host = builder.Build();
await host.StartAsync(); // Fails here, naming the field, if an option is out of range.

// AddKairos registered the "kairos" health check: the database answers, with this node's state.
var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
Console.WriteLine($"health: {health.Status} ({string.Join(", ", health.Entries["kairos"].Data.Select(d => $"{d.Key}={d.Value}"))})");

// Anything in the app enqueues and queries work through IKairosClient: here, a manual run with a
// payload, then its outcome (the same run again on a restart, thanks to the idempotency key).
var kairos = host.Services.GetRequiredService<IKairosClient>();
var run = await kairos.RunNowAsync("send-digest", """{"to":"ops@example.org"}""", idempotencyKey: "startup-digest");
Console.WriteLine($"enqueued run {run.RunId} (created: {run.Created})");
var finished = await kairos.WaitForRunAsync(run.RunId, TimeSpan.FromSeconds(30));
Console.WriteLine($"run {run.RunId}: {finished?.State.ToWire()}, output {finished?.Output}");

await host.WaitForShutdownAsync();

/// <summary>An in-process job: gets the run's context and returns JSON output.</summary>
internal sealed class DigestHandler(ILogger<DigestHandler> logger) : IJobHandler
{
    public Task<JsonNode?> ExecuteAsync(JobContext context)
    {
        var to = context.Payload.ValueKind == System.Text.Json.JsonValueKind.Object && context.Payload.TryGetProperty("to", out var t)
            ? t.GetString()
            : "everyone";
        context.Logger.LogInformation("sending digest to {To} (run {RunId}, attempt {Attempt}, fired by {Source})", to, context.RunId, context.Attempt, context.Source);
        logger.LogDebug("digest handler finished");
        return Task.FromResult<JsonNode?>(new JsonObject { ["sentTo"] = to });
    }
}

/// <summary>
/// A poll trigger: every 10 s, runs the job when more files are waiting in ./drop than at the last
/// poll. <see cref="PollContext.State"/> keeps the last count across polls and restarts.
/// </summary>
internal sealed class DropFolderPoller : IPollTrigger
{
    public string Name => "drop-folder";

    public TimeSpan Interval => TimeSpan.FromSeconds(10);

    /// <summary>False: the same context is not queued again while a run for it is queued or running.</summary>
    public bool AllowConcurrent => false;

    public Task<PollResult> PollAsync(PollContext context, CancellationToken cancellationToken)
    {
        var count = Directory.Exists("drop") ? Directory.GetFiles("drop").Length : 0;
        var previous = int.TryParse(context.State, out var last) ? last : 0;
        context.State = count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Task.FromResult(count > previous
            ? PollResult.Fire(new JsonObject { ["waiting"] = count })
            : PollResult.Skip);
    }
}

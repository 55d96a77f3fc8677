// Kairos inside an ordinary generic-host app: one SQLite file, a handler, a job declared in code.
// Run: dotnet run --project examples/LibraryHost   (Ctrl+C to stop)
using System.Text.Json.Nodes;
using Kairos.Client;
using Kairos.Executors;
using Kairos.Hosting;
using Kairos.Model;
using Kairos.Polling;
using Kairos.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddKairos(o =>
{
    o.UseSqlite("library-host.db");
    o.AddJob(new JobDefinition
    {
        Name = "send-digest",
        Executor = new HandlerExecutorSpec("digest"),
        Retry = RetryPolicy.Default with { MaxAttempts = 5 },
        Triggers = [new CronTriggerSpec("*/20 * * * * *"), new NowTriggerSpec()],
    });
    // A poll trigger: the registered poller "drop-folder" decides when to run the job.
    o.AddJob(new JobDefinition
    {
        Name = "import-drops",
        Executor = new HandlerExecutorSpec("digest"),
        Triggers = [new PollTriggerSpec { Poller = "drop-folder" }],
    });
});
builder.Services.AddKairosHandler<DigestHandler>("digest");
builder.Services.AddKairosPollTrigger<DropFolderPoller>();

using var host = builder.Build();
await host.StartAsync();

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

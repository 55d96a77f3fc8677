// Kairos inside an ordinary generic-host app: one SQLite file, a handler, a job declared in code.
// Run: dotnet run --project examples/LibraryHost   (Ctrl+C to stop)
using System.Text.Json.Nodes;
using Kairos.Engine;
using Kairos.Executors;
using Kairos.Hosting;
using Kairos.Model;
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
});
builder.Services.AddKairosHandler<DigestHandler>("digest");

using var host = builder.Build();
await host.StartAsync();

// Anything in the app can enqueue work through the engine: here, a manual run with a payload.
var engine = host.Services.GetRequiredService<KairosEngine>();
var run = await engine.RunNowAsync("send-digest", """{"to":"ops@example.org"}""", idempotencyKey: "startup-digest");
Console.WriteLine($"enqueued run {run.RunId} (created: {run.Created})");

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

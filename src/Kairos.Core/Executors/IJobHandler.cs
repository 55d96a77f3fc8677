using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Kairos.Executors;

/// <summary>
/// An in-process job. Register it with <c>AddKairos().AddHandler&lt;T&gt;("name")</c> and point a
/// job's <c>handler:</c> at that name. Throwing fails the attempt (and retries per the job's policy);
/// the returned JSON becomes the run's output.
/// </summary>
public interface IJobHandler
{
    Task<JsonNode?> ExecuteAsync(JobContext context);
}

/// <summary>What a handler gets for one attempt.</summary>
public sealed class JobContext
{
    public required long RunId { get; init; }
    public required string JobName { get; init; }

    /// <summary>1 for the first attempt.</summary>
    public required int Attempt { get; init; }

    /// <summary>What fired the run: cron, interval, once, now, manual, ….</summary>
    public required string Source { get; init; }

    /// <summary>The run's JSON payload (JSON null when none was given).</summary>
    public required JsonElement Payload { get; init; }

    /// <summary>Writes to the run's log (and to the host's logging).</summary>
    public required ILogger Logger { get; init; }

    /// <summary>Signalled on timeout, cancel and shutdown.</summary>
    public required CancellationToken CancellationToken { get; init; }
}

using Kairos.Hosting;
using Kairos.Model;

namespace Kairos.Configuration;

/// <summary>What a configuration file declares: engine settings (all optional), jobs, webhooks and subscriptions.</summary>
internal sealed record KairosConfig(EngineSettings Engine, IReadOnlyList<JobDefinition> Jobs)
{
    public IReadOnlyList<Webhooks.WebhookDefinition> Webhooks { get; init; } = [];
    public IReadOnlyList<Events.Subscription> Subscriptions { get; init; } = [];
    public ApiSettings Api { get; init; } = new();
    public TelemetrySettings Telemetry { get; init; } = new();

    /// <summary>Declared secrets by name: <c>env:VARIABLE</c> or <c>file:PATH</c>.</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; init; } = new Dictionary<string, string>();
}

/// <summary>The <c>api:</c> section: what a server lets its API do (see docs/security.md).</summary>
internal sealed record ApiSettings
{
    /// <summary>Whether admin keys may declare command executors and SQL poll triggers over the API.</summary>
    public bool AllowCommandJobs { get; init; }

    /// <summary>The Host header values the server answers; empty: those of its listen addresses.</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary>
    /// The reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (<see cref="TrustedProxies"/>).
    /// Empty (the default): those headers are ignored, whoever sends them.
    /// </summary>
    public IReadOnlyList<System.Net.IPNetwork> TrustedProxies { get; init; } = [];

    /// <summary>The default <see cref="MaxBodyBytes"/>, 1 MiB: definitions, payloads and events are far smaller.</summary>
    public const int DefaultMaxBodyBytes = 1024 * 1024;

    /// <summary>The smallest <see cref="MaxBodyBytes"/>, 1 KiB: less would refuse ordinary job definitions.</summary>
    public const int MinMaxBodyBytes = 1024;

    /// <summary>The largest <see cref="MaxBodyBytes"/>, 64 MiB: a body is held in memory to be parsed.</summary>
    public const int MaxMaxBodyBytes = 64 * 1024 * 1024;

    /// <summary>The largest request body under <c>/api</c>; larger ones get 413.</summary>
    public int MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    /// <summary>
    /// Whether <c>GET /metrics</c> answers without an API key (a Prometheus scraper that holds none).
    /// False (the default): it needs a key of scope read, as the API does; the numbers name every job and queue.
    /// </summary>
    public bool PublicMetrics { get; init; }
}

/// <summary>The <c>telemetry:</c> section: where a server sends its metrics and traces (see docs/observability.md).</summary>
internal sealed record TelemetrySettings
{
    /// <summary>
    /// The OTLP collector's URL (<c>telemetry.otlp.endpoint</c>); null: the environment's
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, and without it no export.
    /// </summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary><c>grpc</c> or <c>http/protobuf</c> (<c>telemetry.otlp.protocol</c>); null: the environment's <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, else grpc.</summary>
    public string? OtlpProtocol { get; init; }

    public static readonly IReadOnlyList<string> Protocols = ["grpc", "http/protobuf"];
}

/// <summary>The <c>engine:</c> section; a null field keeps the <see cref="KairosOptions"/> default.</summary>
internal sealed record EngineSettings
{
    public int? Workers { get; init; }
    public TimeSpan? LeaseDuration { get; init; }
    public TimeSpan? LeaderLease { get; init; }
    public TimeSpan? MisfireThreshold { get; init; }
    public TimeSpan? ShutdownGrace { get; init; }
    public IReadOnlyDictionary<string, int> QueueLimits { get; init; } = new Dictionary<string, int>();
    public IReadOnlyDictionary<string, int> ExecutorLimits { get; init; } = new Dictionary<string, int>();
    public IReadOnlyDictionary<string, int> NamespaceLimits { get; init; } = new Dictionary<string, int>();
    public RetentionSettings? Retention { get; init; }
    public IReadOnlyList<string> OutboundHttpAllow { get; init; } = [];

    public void ApplyTo(KairosOptions options)
    {
        options.Workers = Workers ?? options.Workers;
        options.LeaseDuration = LeaseDuration ?? options.LeaseDuration;
        options.LeaderLease = LeaderLease ?? options.LeaderLease;
        options.MisfireThreshold = MisfireThreshold ?? options.MisfireThreshold;
        options.ShutdownGrace = ShutdownGrace ?? options.ShutdownGrace;
        Retention?.ApplyTo(options.Retention);
        options.OutboundHttpAllow.AddRange(OutboundHttpAllow);
        foreach (var (queue, limit) in QueueLimits)
        {
            options.QueueLimits[queue] = limit;
        }
        foreach (var (kind, limit) in ExecutorLimits)
        {
            options.ExecutorLimits[kind] = limit;
        }
        foreach (var (ns, limit) in NamespaceLimits)
        {
            options.Namespaces[ns] = new NamespaceOptions { MaxRunning = limit };
        }
    }
}

using Kairos.Storage;

namespace Kairos.Hosting;

/// <summary>
/// Engine settings, read through <c>IOptions&lt;KairosOptions&gt;</c> and validated when the host starts
/// (a field out of range fails the start with a message naming it). The YAML file's <c>engine:</c>
/// section, when <see cref="ConfigFile"/> is set, applies on top and is validated again. Each default
/// says why it is what it is.
/// </summary>
public sealed class KairosOptions
{
    /// <summary>
    /// Runs executing at once on this node, 0–4096. Default 32: enough to keep two cores busy with I/O-bound jobs.
    /// 0 makes a node that enqueues and serves but runs nothing.
    /// </summary>
    public int Workers { get; set; } = 32;

    /// <summary>
    /// How long a claimed run stays owned without a heartbeat. Default 30 s: heartbeats every third
    /// of it, so a stalled node loses its runs within 30 s while a slow database write does not cost a lease.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the cluster's leadership lasts without renewal; the leader renews it every third of
    /// it. Default 15 s: a dead leader is replaced within about 20 s, which the misfire threshold
    /// (1 min) covers, so its ticks are fired late rather than lost.
    /// </summary>
    public TimeSpan LeaderLease { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A fire time older than this when the scheduler sees it counts as missed. Default 1 min.</summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Upper bound on runs a fire-all misfire policy enqueues at once. Default 100.</summary>
    public int MaxMisfireFires { get; set; } = 100;

    /// <summary>
    /// Longest the dispatcher sleeps without a wake-up before looking at the queue again. Wake-ups
    /// come from enqueues, finished runs and rescues; this only bounds the cost of a missed one. Default 5 s.
    /// </summary>
    public TimeSpan IdleRecheck { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether the node gives the memory the garbage collector kept after a burst back to the
    /// operating system when it goes quiet (5 s with no run). Off by default: the collection it takes
    /// pauses the whole process, which in a library host is the application's. <c>kairos serve</c> turns it on.
    /// </summary>
    public bool ReleaseMemoryWhenIdle { get; set; }

    /// <summary>How long shutdown waits for running runs before handing them back to the queue. Default 10 s.</summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most runs at once per queue, over all nodes. Queues not listed: no limit.</summary>
    public Dictionary<string, int> QueueLimits { get; } = new(StringComparer.Ordinal);

    /// <summary>Most runs at once per executor kind (handler, command, http), over all nodes.</summary>
    public Dictionary<string, int> ExecutorLimits { get; } = new(StringComparer.Ordinal);

    /// <summary>Limits per namespace (<c>billing</c>, <c>default</c>…), over all nodes. Namespaces not listed: no limit.</summary>
    public Dictionary<string, NamespaceOptions> Namespaces { get; } = new(StringComparer.Ordinal);

    /// <summary>Each namespace's <see cref="NamespaceOptions.MaxRunning"/>, for claims; empty when none is set, so claims pay nothing for it.</summary>
    internal IReadOnlyDictionary<string, int> NamespaceRunningLimits() =>
        Namespaces.Where(n => n.Value.MaxRunning is not null).ToDictionary(n => n.Key, n => n.Value.MaxRunning!.Value, StringComparer.Ordinal);

    /// <summary>
    /// Where HTTP jobs and HTTP poll triggers may connect: host names (<c>api.example.org</c>,
    /// <c>*.example.org</c>), addresses or ranges (<c>10.0.0.0/8</c>). Empty (the default): anywhere
    /// except loopback, link-local (cloud metadata) and unspecified addresses, which need an entry.
    /// </summary>
    public List<string> OutboundHttpAllow { get; } = [];

    /// <summary>
    /// Keys that encrypt stored secrets (AES-256-GCM), each 32 random bytes in base64. The first
    /// encrypts; the others still decrypt, for rotation (docs/security.md). Empty: secrets cannot be stored.
    /// </summary>
    public List<string> SecretKeys { get; } = [];

    /// <summary>Secrets declared by the configuration, by name: <c>env:VARIABLE</c> or <c>file:PATH</c>, read when a run uses them.</summary>
    public Dictionary<string, string> DeclaredSecrets { get; } = new(StringComparer.Ordinal);

    /// <summary>How long finished runs, events, journal entries are kept; the leader prunes older ones.</summary>
    public RetentionOptions Retention { get; } = new();

    /// <summary>This node's id in leases and the journal. Default host:pid:random.</summary>
    public string NodeId { get; set; } =
        $"{Environment.MachineName}:{Environment.ProcessId}:{Random.Shared.Next(0x10000):x4}";

    /// <summary>A YAML file of jobs loaded at start (see docs/configuration.md). Null: none.</summary>
    public string? ConfigFile { get; set; }

    /// <summary>Jobs declared in code (<c>AddJob</c> on the builder) and in the YAML file, saved at start.</summary>
    internal List<Model.JobDefinition> Jobs { get; } = [];

    /// <summary>Webhooks declared in code and in the YAML file, saved at start.</summary>
    internal List<Webhooks.WebhookDefinition> Webhooks { get; } = [];

    /// <summary>Subscriptions declared in code and in the YAML file, saved at start (after the jobs they target).</summary>
    internal List<Events.Subscription> Subscriptions { get; } = [];

    /// <summary>
    /// Database providers of SQL poll triggers (<c>poll: { sql: { provider: NAME } }</c>): name →
    /// a new, unopened connection for a connection string. <c>UseSqlite</c> adds <c>sqlite</c>;
    /// <c>kairos serve</c> also has <c>postgres</c>.
    /// </summary>
    public Dictionary<string, Func<string, System.Data.Common.DbConnection>> SqlPollProviders { get; } = new(StringComparer.Ordinal);

    /// <summary>Builds the store for this node; set by <c>UseSqlite</c> or <c>UsePostgres</c>. Null: none chosen, which fails validation at start.</summary>
    internal Func<IServiceProvider, string, IKairosStore>? StoreFactory { get; set; }
}

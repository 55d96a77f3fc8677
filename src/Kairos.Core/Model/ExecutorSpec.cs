using System.Text.Json.Serialization;

namespace Kairos.Model;

/// <summary>What runs when a job runs. The <see cref="Kind"/> selects the executor.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(HandlerExecutorSpec), ExecutorKinds.Handler)]
[JsonDerivedType(typeof(CommandExecutorSpec), ExecutorKinds.Command)]
[JsonDerivedType(typeof(HttpExecutorSpec), ExecutorKinds.Http)]
[JsonDerivedType(typeof(WorkflowExecutorSpec), ExecutorKinds.Workflow)]
public abstract record ExecutorSpec
{
    [JsonIgnore]
    public abstract string Kind { get; }
}

public static class ExecutorKinds
{
    public const string Handler = "handler";
    public const string Command = "command";
    public const string Http = "http";
    public const string Workflow = "workflow";
}

/// <summary>An in-process <c>IJobHandler</c> registered under <paramref name="Handler"/>.</summary>
public sealed record HandlerExecutorSpec(string Handler) : ExecutorSpec
{
    [JsonIgnore]
    public override string Kind => ExecutorKinds.Handler;
}

/// <summary>
/// A child process: <see cref="Argv"/>[0] is the executable, the rest are its arguments, each passed as
/// one argument (never through a shell). <c>{{payload.x}}</c> templates are filled per argument. The
/// process gets a small environment (PATH, HOME, locale…) plus <see cref="Env"/>, never the server's own.
/// </summary>
public sealed record CommandExecutorSpec(IReadOnlyList<string> Argv) : ExecutorSpec
{
    [JsonIgnore]
    public override string Kind => ExecutorKinds.Command;
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public string? WorkingDirectory { get; init; }

    /// <summary>
    /// Indexes in <see cref="Argv"/> whose template may fill in a value starting with <c>-</c>. Any
    /// other argument that begins with a template and renders to <c>-…</c> fails the run, because the
    /// program would read it as an option (<c>ssh -oProxyCommand=…</c>).
    /// </summary>
    public IReadOnlyList<int> AllowOptions { get; init; } = [];

    /// <summary>Bytes of stdout + stderr kept in the run log; the rest is dropped with a marker. Default 1 MiB.</summary>
    public long MaxOutputBytes { get; init; } = 1024 * 1024;

    /// <summary>Time between SIGTERM and killing the process tree on timeout or cancel. Default 10 s.</summary>
    public TimeSpan KillGracePeriod { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>An outbound HTTP request; 2xx succeeds, 408/429/5xx retry, other statuses fail for good.</summary>
public sealed record HttpExecutorSpec(string Method, string Url) : ExecutorSpec
{
    [JsonIgnore]
    public override string Kind => ExecutorKinds.Http;
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Request body template; <c>{{payload}}</c> is the whole payload as JSON.</summary>
    public string? Body { get; init; }

    /// <summary>Request timeout. Default 100 s (the job timeout, if shorter, wins).</summary>
    public TimeSpan? RequestTimeout { get; init; }

    /// <summary>Bytes of response body kept as output. Default 256 KiB.</summary>
    public int MaxResponseBytes { get; init; } = 256 * 1024;
}

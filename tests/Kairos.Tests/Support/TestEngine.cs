using System.Text.Json.Nodes;
using Kairos.Engine;
using Kairos.Executors;
using Kairos.Hosting;
using Kairos.Model;
using Kairos.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kairos.Tests.Support;

/// <summary>The store a <see cref="TestEngine"/> runs on.</summary>
public enum TestStore
{
    /// <summary>A real SQLite file in the engine's temp directory (the default).</summary>
    Sqlite,

    /// <summary>The in-memory driver: the same rules, no file.</summary>
    Memory,
}

/// <summary>
/// A real engine on a real SQLite file in a temp directory (or on the in-memory driver), with a
/// manual clock. Tests register handlers, start the engine and advance time; <see cref="Started"/>
/// records handler starts.
/// </summary>
internal sealed class TestEngine : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly ServiceProvider _services;

    private TestEngine(ServiceProvider services, ManualTimeProvider clock, TempDirectory directory)
    {
        _services = services;
        _directory = directory;
        Clock = clock;
        Engine = services.GetRequiredService<KairosEngine>();
        Client = services.GetRequiredService<Kairos.Client.IKairosClient>();
    }

    public static readonly DateTimeOffset DefaultStart = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public ManualTimeProvider Clock { get; }
    public KairosEngine Engine { get; }

    /// <summary>The client <c>AddKairos</c> registers, over <see cref="Engine"/>.</summary>
    public Kairos.Client.IKairosClient Client { get; }
    public IKairosStore Store => Engine.Store;
    public string DirectoryPath => _directory.Path;

    public static async Task<TestEngine> CreateAsync(
        Action<IKairosBuilder>? handlers = null,
        Action<KairosOptions>? configure = null,
        DateTimeOffset? start = null,
        string? databasePath = null,
        TestStore store = TestStore.Sqlite)
    {
        var clock = new ManualTimeProvider(start ?? DefaultStart);
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(clock);
        var directory = new TempDirectory();
        var kairos = services.AddKairos(o =>
            {
                o.NodeId = "test-node";
                o.ShutdownGrace = TimeSpan.Zero;
                configure?.Invoke(o);
            })
            .AddHandler("ok", _ => Task.FromResult<JsonNode?>(new JsonObject { ["ok"] = true }));
        if (store == TestStore.Memory)
        {
            kairos.UseInMemory();
        }
        else
        {
            kairos.UseSqlite(databasePath ?? directory.File("kairos.db"));
        }
        handlers?.Invoke(kairos);
        var engine = new TestEngine(services.BuildServiceProvider(), clock, directory);
        await engine.Engine.InitializeAsync(CancellationToken.None);
        return engine;
    }

    /// <summary>Starts the engine and waits until it leads (it is alone), so its scheduler runs.</summary>
    public async Task StartAsync()
    {
        await Engine.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => Engine.IsLeader, "the engine to lead");
    }

    public static JobDefinition Job(string name, string handler = "ok", Func<JobDefinition, JobDefinition>? change = null)
    {
        var job = new JobDefinition { Name = name, Executor = new HandlerExecutorSpec(handler) };
        return change is null ? job : change(job);
    }

    public async Task<RunRecord> RunAsync(long id) => (await Store.GetRunAsync(id, CancellationToken.None))!;

    public async Task<RunRecord> WaitForStateAsync(long id, RunState state, int timeoutMs = 15_000)
    {
        await Eventually.TrueAsync(async () => (await RunAsync(id)).State == state, $"run {id} to be {state.ToWire()}", timeoutMs);
        return await RunAsync(id);
    }

    public async Task<IReadOnlyList<string>> JournalKindsAsync(long runId) =>
        (await Store.ListJournalAsync(new JournalQuery { RunId = runId }, CancellationToken.None)).Select(e => e.Kind).ToList();

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        await _services.DisposeAsync();
        _directory.Dispose();
    }
}

using Kairos.Client;
using Kairos.Engine;
using Kairos.Tests.Support;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kairos.Tests.Hosting;

/// <summary>
/// Kairos in a generic host, as a library user has it: <c>AddKairos()</c> and the builder, started
/// and stopped by the host (so options are validated at start), on a manual clock and a SQLite file
/// in a temp directory.
/// </summary>
internal sealed class KairosTestHost : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private bool _started;

    private KairosTestHost(IHost host, ManualTimeProvider clock, TempDirectory directory)
    {
        Host = host;
        Clock = clock;
        _directory = directory;
    }

    /// <summary>Monday 2 March 2026, 07:30 UTC: within the scheduler's longest sleep (1 h) of 09:00 in Paris.</summary>
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 7, 30, 0, TimeSpan.Zero);

    public IHost Host { get; }

    public ManualTimeProvider Clock { get; }

    public IKairosClient Client => Host.Services.GetRequiredService<IKairosClient>();

    public KairosEngine Engine => Host.Services.GetRequiredService<KairosEngine>();

    /// <summary>A host with Kairos on <c>kairos.db</c> in a new temp directory (or no store, with <paramref name="store"/> false), configured by <paramref name="kairos"/>; not started.</summary>
    public static KairosTestHost Build(Action<IKairosBuilder>? kairos = null, Action<IServiceCollection>? services = null, bool store = true)
    {
        var directory = new TempDirectory();
        var clock = new ManualTimeProvider(Start);
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        builder.Services.AddSingleton<TimeProvider>(clock);
        var added = builder.Services.AddKairos(o =>
        {
            o.NodeId = "host-test";
            o.ShutdownGrace = TimeSpan.Zero;
        });
        if (store)
        {
            added.UseSqlite(directory.File("kairos.db"));
        }
        kairos?.Invoke(added);
        services?.Invoke(builder.Services);
        return new KairosTestHost(builder.Build(), clock, directory);
    }

    public string File(string name) => _directory.File(name);

    /// <summary>Starts the host: validates the options, then starts the engine.</summary>
    public async Task StartAsync()
    {
        await Host.StartAsync();
        _started = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            await Host.StopAsync();
        }
        Host.Dispose();
        _directory.Dispose();
    }
}

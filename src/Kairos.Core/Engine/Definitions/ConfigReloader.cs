using System.Security.Cryptography;
using System.Text;
using Kairos.Configuration;
using Kairos.Engine.Services;
using Microsoft.Extensions.Logging;

namespace Kairos.Engine.Definitions;

/// <summary>
/// Watches the configuration file <c>kairos serve --config</c> started with and applies it again when
/// its content changes, as <c>kairos apply</c> would: a job added to the file is created, one changed
/// is updated, one removed is deleted, without a restart. A file that does not load is reported (every
/// error with its position) and nothing is applied until it is fixed. Editors save in several steps
/// (a temporary file, a rename), so a change is applied once the file has been quiet for <see cref="Settle"/>.
/// </summary>
internal sealed class ConfigReloader : EngineLoop, IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);

    private readonly string _path;
    private readonly Func<KairosConfig, CancellationToken, Task> _apply;
    private readonly Func<string, bool> _handlerExists;
    private readonly FileSystemWatcher _watcher;
    private string _applied;
    // Ticks of the last change (0: none), written by the watcher's thread: a long is read and written whole.
    private long _changedAtTicks;
    private int _refused;

    /// <summary>Changed files that were not applied (they did not load, or a definition was refused).</summary>
    internal int Refused => Volatile.Read(ref _refused);

    /// <summary>Starts watching <paramref name="path"/>, whose content <paramref name="appliedText"/> the engine applied at start.</summary>
    public ConfigReloader(string path, string appliedText, Func<string, bool> handlerExists, Func<KairosConfig, CancellationToken, Task> apply, TimeProvider time, ILogger logger)
        : base("Config reloader", time, logger)
    {
        _path = Path.GetFullPath(path);
        _applied = Hash(appliedText);
        _handlerExists = handlerExists;
        _apply = apply;
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(_path)!, Path.GetFileName(_path))
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        _watcher.Changed += (_, _) => Changed();
        _watcher.Created += (_, _) => Changed();
        _watcher.Renamed += (_, _) => Changed();
        _watcher.EnableRaisingEvents = true;
    }

    private void Changed()
    {
        Interlocked.Exchange(ref _changedAtTicks, Time.GetUtcNow().UtcTicks);
        Wake();
    }

    protected override async ValueTask<DateTimeOffset?> RunPassAsync(CancellationToken stopping)
    {
        var ticks = Interlocked.Read(ref _changedAtTicks);
        if (ticks == 0)
        {
            return null;
        }
        var settled = new DateTimeOffset(ticks, TimeSpan.Zero) + Settle;
        if (Time.GetUtcNow() < settled)
        {
            return settled;
        }
        // A change that came while this pass ran keeps its own time and is looked at next.
        Interlocked.CompareExchange(ref _changedAtTicks, 0, ticks);
        if (!File.Exists(_path))
        {
            return null; // Mid-rename, or removed: the definitions stay as they are.
        }
        var text = await File.ReadAllTextAsync(_path, stopping).ConfigureAwait(false);
        var hash = Hash(text);
        if (hash == _applied)
        {
            return null;
        }
        _applied = hash; // A file that does not load is reported once, not at every pass.
        try
        {
            var config = YamlConfigLoader.Load(text, _path, _handlerExists);
            await _apply(config, stopping).ConfigureAwait(false);
            Logger.LogInformation("Applied the changed configuration file {File}", _path);
        }
        catch (KairosConfigException ex)
        {
            Interlocked.Increment(ref _refused);
            Logger.LogError("The changed configuration file was not applied: {Errors}", ex.Message);
        }
        catch (KairosException ex)
        {
            Interlocked.Increment(ref _refused);
            Logger.LogError("The changed configuration file was not applied: {Error}", ex.Message);
        }
        return null;
    }

    private static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public void Dispose() => _watcher.Dispose();
}

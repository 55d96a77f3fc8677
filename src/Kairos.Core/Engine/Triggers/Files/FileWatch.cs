using System.Collections.Concurrent;
using System.Text.Json;
using Kairos.Engine.Services;
using Kairos.Model;
using Kairos.Storage;
using Microsoft.Extensions.Logging;

namespace Kairos.Engine.Triggers.Files;

/// <summary>What every watch shares: the store, the clock, the dispatcher's wake-up, logging.</summary>
internal sealed record FileWatchServices(IKairosStore Store, TimeProvider Time, Action WakeDispatcher, ILogger Logger, Func<bool> DropNotifications);

/// <summary>
/// The watch of one file trigger: a single loop that owns the recorded state (<see cref="KnownFiles"/>)
/// and the settling paths, fed by OS notifications (hints), a periodic reconcile scan and settle
/// timers on the engine clock. See <see cref="FileTriggerHost"/> for the rules it follows.
/// </summary>
internal sealed class FileWatch : EngineLoop
{
    /// <summary>Size stored for the first-sight marker: the row for the watched directory itself.</summary>
    public const long MarkerSize = -1;

    /// <summary>How often a missing directory (or one that refused a watch) is looked for again, at most.</summary>
    private static readonly TimeSpan DirectoryRetry = TimeSpan.FromSeconds(5);

    private readonly TriggerState _trigger;
    private readonly FileTriggerSpec _spec;
    private readonly FileWatchServices _services;
    private readonly FilePathFilter _filter;
    private readonly KnownFiles _known = new();
    private readonly PendingChanges _pending;
    private readonly ConcurrentQueue<FileHint> _hints = new();

    private FileNotifier? _notifier;
    private volatile bool _loaded;
    private bool _baselined;
    private volatile bool _reconcileRequested = true;
    private DateTimeOffset _nextReconcile = DateTimeOffset.MinValue;
    private DateTimeOffset _nextWatchAttempt = DateTimeOffset.MinValue;
    private DateTimeOffset _notifierStartedAt = DateTimeOffset.MaxValue;
    private DateTimeOffset _lastReconcileAt = DateTimeOffset.MinValue;
    private string? _problem;

    public FileWatch(TriggerState trigger, FileTriggerSpec spec, FileWatchServices services)
        : base($"File trigger {trigger.Key} of job {trigger.JobName} on {RootOf(spec)}", services.Time, services.Logger)
    {
        _trigger = trigger;
        _spec = spec;
        _services = services;
        Root = RootOf(spec);
        _filter = new FilePathFilter(spec.Include, spec.Exclude, spec.Recursive);
        _pending = new PendingChanges(spec.Settle);
    }

    public long TriggerId => _trigger.Id;

    /// <summary>The watched directory, as a full path without a trailing separator.</summary>
    public string Root { get; }

    private static string RootOf(FileTriggerSpec spec) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(spec.Path));

    /// <summary>The trigger's stored state has been read: from now on a change is judged against it.</summary>
    internal bool Loaded => _loaded;

    /// <summary>Scan the directory now (tests).</summary>
    public void RequestReconcile()
    {
        _reconcileRequested = true;
        Wake();
    }

    /// <summary>What the OS watcher calls; tests call it to stand in for it (e.g. a buffer overflow).</summary>
    public void Hint(FileHint hint)
    {
        if (hint.Lost is null && _services.DropNotifications())
        {
            return;
        }
        _hints.Enqueue(hint);
        Wake();
    }

    protected override async ValueTask<DateTimeOffset?> RunPassAsync(CancellationToken stopping)
    {
        try
        {
            await StepAsync(stopping).ConfigureAwait(false);
        }
        catch (Exception) when (!stopping.IsCancellationRequested)
        {
            _reconcileRequested = true; // Whatever was being decided is found again by the scan after the back-off.
            throw;
        }
        return NextWake();
    }

    /// <summary>Stopped: paths still settling were not recorded, so the next start finds them again.</summary>
    protected override Task OnStoppedAsync()
    {
        _notifier?.Dispose();
        _notifier = null;
        return Task.CompletedTask;
    }

    private DateTimeOffset? NextWake()
    {
        var next = _nextReconcile;
        if (_pending.NextDue is { } due && due < next)
        {
            next = due;
        }
        if (_notifier is null && _nextWatchAttempt < next)
        {
            next = _nextWatchAttempt;
        }
        return next;
    }

    private async Task StepAsync(CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        if (!_loaded)
        {
            foreach (var file in await _services.Store.GetFileStateAsync(_trigger.Id, cancellationToken).ConfigureAwait(false))
            {
                _baselined = true; // Any stored row, the marker or a file: this trigger has been seen before.
                if (file.Path != Root)
                {
                    _known.Set(file);
                }
            }
            _loaded = true;
        }
        if (_notifier is null && now >= _nextWatchAttempt)
        {
            StartNotifier(now);
        }
        if (!_baselined)
        {
            if (!await BaselineAsync(now, cancellationToken).ConfigureAwait(false))
            {
                _nextReconcile = now + DirectoryRetry;
                return;
            }
            _reconcileRequested = false;
            _nextReconcile = now + _spec.Reconcile;
        }
        DrainHints();
        if (_reconcileRequested || now >= _nextReconcile)
        {
            Reconcile(now);
        }
        await DecideAsync(cancellationToken).ConfigureAwait(false);
    }

    private void StartNotifier(DateTimeOffset now)
    {
        if (!Directory.Exists(Root))
        {
            Problem($"directory {Root} does not exist; watching for it to appear", null);
            _nextWatchAttempt = now + Min(DirectoryRetry, _spec.Reconcile);
            return;
        }
        try
        {
            _notifier = new FileNotifier(Root, _spec.Recursive, Hint);
            _notifierStartedAt = now;
            _reconcileRequested = true; // Catch up on whatever happened while nothing watched.
            Solved($"watching {Root}");
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            // E.g. the OS limit on watches: fall back to the reconcile scan, and try again at its pace.
            Problem($"cannot get change notifications for {Root} ({ex.Message}); relying on the reconcile scan every {_spec.Reconcile}", null);
            _nextWatchAttempt = now + _spec.Reconcile;
        }
    }

    /// <summary>First sight of this trigger: record the files already there, fire nothing, then mark the trigger as seen.</summary>
    private async Task<bool> BaselineAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var scan = FileScanner.Scan(Root, Root, _filter, _spec.Recursive);
        if (scan.RootError is { } error)
        {
            Problem($"cannot read {Root} ({error.Message}); retrying", null);
            return false;
        }
        var files = scan.Files.Values.ToList();
        foreach (var chunk in files.Chunk(256))
        {
            // Issued together so the store commits them as a group.
            await Task.WhenAll(chunk.Select(f => _services.Store.RecordFileChangeAsync(_trigger.Id, f.Path, f, null, null, now, cancellationToken))).ConfigureAwait(false);
        }
        foreach (var file in files)
        {
            _known.Set(file);
        }
        await _services.Store.RecordFileChangeAsync(_trigger.Id, Root, new FileSnapshot(Root, MarkerSize, now), null, null, now, cancellationToken).ConfigureAwait(false);
        await _services.Store.AppendJournalAsync("file.baseline", _trigger.JobName, JsonSerializer.Serialize(new
        {
            trigger = _trigger.Key,
            triggerId = _trigger.Id,
            directory = Root,
            files = files.Count,
            directoryMissing = scan.RootMissing ? true : (bool?)null,
            note = "first sight of this trigger: existing files are recorded without firing",
        }, KairosJson.Options), now, cancellationToken).ConfigureAwait(false);
        _baselined = true;
        Logger.LogInformation("File trigger {Trigger} of job {Job}: first sight of {Directory}, {Count} existing file(s) recorded without firing",
            _trigger.Key, _trigger.JobName, Root, files.Count);
        return true;
    }

    private void DrainHints()
    {
        var looks = new Dictionary<string, bool>(StringComparer.Ordinal); // Path → arrived.
        var renames = new List<(string Old, string New)>();
        var any = false;
        while (_hints.TryDequeue(out var hint))
        {
            any = true;
            if (hint.Lost is { } lost)
            {
                Logger.LogWarning(lost, "File trigger {Trigger}: change notifications for {Directory} were lost; scanning it now", _trigger.Key, Root);
                _reconcileRequested = true;
                continue;
            }
            if (hint.OldPath is { } old)
            {
                looks.TryAdd(old, false);
                renames.Add((old, hint.Path!));
            }
            looks[hint.Path!] = looks.GetValueOrDefault(hint.Path!) || hint.Arrived;
        }
        if (any && !Directory.Exists(Root))
        {
            _reconcileRequested = true; // The directory itself went away (the OS may not say so).
        }
        foreach (var (path, arrived) in looks)
        {
            Look(path, arrived);
        }
        foreach (var (old, renamed) in renames)
        {
            var from = _pending.Get(old);
            if (_pending.Get(renamed) is { } to)
            {
                to.RenamedFrom = from?.RenamedFrom ?? old;
            }
            if (from is not null)
            {
                from.RenamedTo = renamed;
            }
        }
    }

    /// <summary>A notification named this path: a file, a directory (created, moved in, removed, moved away) or the root.</summary>
    private void Look(string path, bool arrived)
    {
        if (path == Root)
        {
            _reconcileRequested = true; // The watched directory itself was removed, moved or replaced.
            return;
        }
        if (!path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return;
        }
        if (Directory.Exists(path))
        {
            if (_spec.Recursive && arrived)
            {
                var scan = FileScanner.Scan(Root, path, _filter, recursive: true);
                foreach (var file in scan.Files.Values)
                {
                    Observe(file.Path, file, notified: true);
                }
                foreach (var known in _known.Under(path).Where(p => !scan.Files.ContainsKey(p) && !scan.IsUnknown(p)))
                {
                    Observe(known, FileScanner.Stat(known), notified: true);
                }
            }
            return;
        }
        foreach (var known in _known.Under(path))
        {
            Observe(known, FileScanner.Stat(known), notified: true); // A directory removed or moved away.
        }
        if (_filter.Matches(FileScanner.Relative(Root, path)))
        {
            Observe(path, FileScanner.Stat(path), notified: true);
        }
    }

    /// <summary>
    /// Starts (or continues) settling a path that differs from its record; the time is read after the
    /// look. True when the difference is news (the path was not settling yet).
    /// </summary>
    private bool Observe(string path, FileSnapshot? seen, bool notified)
    {
        var settling = _pending.Contains(path);
        if (!settling && KnownFiles.Same(seen, _known.Get(path)))
        {
            return false;
        }
        _pending.Observe(path, seen, Time.GetUtcNow(), notified);
        return !settling;
    }

    /// <summary>Compares the directory with the recorded state; every difference starts settling.</summary>
    private void Reconcile(DateTimeOffset now)
    {
        var previous = _lastReconcileAt;
        _lastReconcileAt = now;
        _reconcileRequested = false;
        _nextReconcile = now + _spec.Reconcile;
        var scan = FileScanner.Scan(Root, Root, _filter, _spec.Recursive);
        if (scan.RootError is { } error)
        {
            Problem($"cannot read {Root} ({error.Message}); its files are left as recorded until it can be read", null);
            return;
        }
        if (scan.RootMissing)
        {
            if (_notifier is not null)
            {
                _notifier.Dispose();
                _notifier = null;
                _nextWatchAttempt = now;
            }
            Problem($"directory {Root} does not exist; watching for it to appear", null);
            _nextReconcile = now + Min(DirectoryRetry, _spec.Reconcile);
        }
        else if (_notifier is not null)
        {
            Solved($"watching {Root}");
        }
        foreach (var unreadable in scan.UnreadableDirectories)
        {
            Logger.LogWarning("File trigger {Trigger}: cannot read {Directory}; its files are left as recorded", _trigger.Key, unreadable);
        }
        var news = 0;
        foreach (var file in scan.Files.Values)
        {
            news += Observe(file.Path, file, notified: false) ? 1 : 0;
        }
        foreach (var path in _known.Paths.Where(p => !scan.Files.ContainsKey(p) && !scan.IsUnknown(p)).ToList())
        {
            news += Observe(path, null, notified: false) ? 1 : 0;
        }
        if (news > 0 && _notifier is not null && _notifierStartedAt < previous)
        {
            // The watcher had a whole interval to report these and did not: it may be watching a
            // directory that was replaced. A new one costs little; the scan it triggers misses nothing.
            Logger.LogInformation("File trigger {Trigger}: the scan of {Directory} found {Count} change(s) no notification reported; restarting the watcher",
                _trigger.Key, Root, news);
            _notifier.Dispose();
            _notifier = null;
            StartNotifier(now);
        }
    }

    /// <summary>Records every settled change, firing a run for those the trigger wants.</summary>
    private async Task DecideAsync(CancellationToken cancellationToken)
    {
        var settled = _pending.TakeSettled(Time.GetUtcNow(), FileScanner.Stat, Time.GetUtcNow);
        if (settled.Count == 0)
        {
            return;
        }
        var changes = ChangeBuilder.Build(settled, _known);
        if (changes.Count == 0)
        {
            return;
        }
        var job = await _services.Store.GetJobAsync(_trigger.JobName, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return; // Deleted: the host stops this watch.
        }
        RunWindows? windows = null;
        var enqueued = false;
        foreach (var change in changes)
        {
            var wanted = _spec.Events.Contains(change.Kind);
            string? ignored = null;
            long? ownRun = null;
            if (wanted && job.Definition.Paused)
            {
                ignored = "the job is paused";
            }
            else if (wanted && _spec.IgnoreOwnChanges)
            {
                windows ??= await RunWindows.LoadAsync(_services.Store, _trigger.JobName, cancellationToken).ConfigureAwait(false);
                // An mtime is the node's clock; run windows are the database's (see DatabaseClock).
                var modifiedAt = Time is Cluster.DatabaseClock clock && change.ModifiedAt is { } m ? clock.FromNodeTime(m) : change.ModifiedAt;
                ownRun = windows.Attribute(modifiedAt, change.NotifiedAt);
                if (ownRun is not null)
                {
                    ignored = $"made while run {ownRun} of this job was running: taken to be its own change";
                }
            }
            var run = wanted && ignored is null ? change.Request(_trigger, _spec, Root) : null;
            var now = Time.GetUtcNow();
            EnqueueResult? result;
            try
            {
                result = await _services.Store.RecordFileChangeAsync(_trigger.Id, change.Path, change.Current, change.OldPath, run, now, cancellationToken, _spec.Publish).ConfigureAwait(false);
            }
            catch (KairosNotFoundException)
            {
                return; // The job was deleted meanwhile.
            }
            if (change.OldPath is { } old)
            {
                _known.Remove(old);
            }
            if (change.Current is { } current)
            {
                _known.Set(current);
            }
            else
            {
                _known.Remove(change.Path);
            }
            enqueued |= result?.Created == true;
            if (ignored is not null)
            {
                await _services.Store.AppendJournalAsync("file.ignored", _trigger.JobName, JsonSerializer.Serialize(new
                {
                    trigger = _trigger.Key,
                    triggerId = _trigger.Id,
                    path = change.Path,
                    change = change.Wire,
                    oldPath = change.OldPath,
                    runId = ownRun,
                    reason = ignored,
                }, KairosJson.Options), now, cancellationToken).ConfigureAwait(false);
            }
        }
        if (enqueued)
        {
            _services.WakeDispatcher();
        }
    }

    /// <summary>Logs a trigger problem once (not at every retry) until it is solved.</summary>
    private void Problem(string message, Exception? ex)
    {
        if (_problem != message)
        {
            _problem = message;
            Logger.LogWarning(ex, "File trigger {Trigger} of job {Job}: {Problem}", _trigger.Key, _trigger.JobName, message);
        }
    }

    private void Solved(string message)
    {
        if (_problem is not null)
        {
            _problem = null;
            Logger.LogInformation("File trigger {Trigger} of job {Job}: {Message}", _trigger.Key, _trigger.JobName, message);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

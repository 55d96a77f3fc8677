using Kairos.Engine.Services;
using Kairos.Model;
using Kairos.Storage;
using Microsoft.Extensions.Logging;

namespace Kairos.Engine.Triggers.Files;

/// <summary>
/// Fires file triggers: one <see cref="FileWatch"/> per stored trigger whose spec is a
/// <see cref="FileTriggerSpec"/>, re-read whenever jobs change. The rules:
/// <list type="bullet">
/// <item><b>What is compared.</b> Each trigger's state is the (path, size, mtime) of every watched
/// file, stored (<c>file_state</c>) so it survives restarts. OS notifications (FileSystemWatcher)
/// only say where to look; a reconcile scan every <c>reconcile</c> (and at start, when a watcher
/// reports lost events, and when a missing directory appears) compares the directory with the state,
/// so changes made while Kairos was down or whose notification was lost are found too.</item>
/// <item><b>First sight.</b> A trigger with no stored state at all (new, or its definition edited,
/// which makes it a new trigger) records the files already there without firing, then stores a
/// marker row (the directory itself, size -1) so an empty directory counts as seen. A directory
/// missing at first sight counts as seen empty: files that appear in it later fire as created.</item>
/// <item><b>Settle.</b> A path is decided once what it holds (no file, or a size and mtime) has not
/// changed for <c>settle</c> on the engine clock, checked by looking at the file again when the time
/// is up; a file still being written is not picked up half-way.</item>
/// <item><b>One run per change</b>: created, changed, deleted or renamed, with payload {path,
/// relativePath, change, size, mtime (ISO-8601 UTC), oldPath and oldRelativePath for renames,
/// trigger, data}; a deleted file gives its last recorded size and mtime. The state update and the
/// enqueue are one transaction. Kinds not in <c>events</c> update the state without a run. A rename
/// is a notified rename, or a path that vanished plus one that appeared with the same size and mtime
/// in the same batch (a move keeps both) when no other path matches; a rename from an unwatched or
/// unknown path is a creation, a rename to an unwatched path a deletion.</item>
/// <item><b>allowConcurrent: false</b> sets a dedupe key (hash of path, size, mtime; of path for a
/// deletion): a change whose key is already queued or running for this trigger is dropped (and
/// journaled as run.deduplicated).</item>
/// <item><b>No loops (ignoreOwnChanges, default on).</b> A change is attributed to a run of the same
/// job, and does not fire, when the file's mtime falls inside that run's window [started_at,
/// finished_at] (open while it runs; an attempt waiting for its retry counts until the retry is due),
/// or when the OS notification about it arrived within the window or up to 1 s after it (deletions
/// and renames have no mtime of their own). The new state is recorded and a <c>file.ignored</c>
/// journal entry names the run. Limits: the rule cannot tell who wrote a file, so a change by someone
/// else while the job runs is ignored too (set ignoreOwnChanges: false when the job's outputs are
/// excluded and inputs may arrive while it runs); mtimes are compared with the engine's clock, so
/// a file server whose clock is off, or a job that sets mtimes in the past (cp -p, tar, rsync -t)
/// defeats it; only the job's latest 500 runs and its running ones are considered.</item>
/// <item><b>Paused job</b>: the state is recorded, nothing fires (journaled as file.ignored).</item>
/// <item><b>Errors</b> (directory missing, permission denied, OS watch limits) are logged once and
/// retried; a missing directory is looked for every 5 s (or the reconcile interval if shorter) and
/// watched once it appears. A directory that cannot be read leaves its recorded files as they are.</item>
/// <item>Every node running the engine watches; file triggers assume one node (or a directory only
/// one node sees).</item>
/// </list>
/// </summary>
internal sealed class FileTriggerHost(IKairosStore store, TimeProvider time, Action wakeDispatcher, ILogger logger)
    : EngineLoop("File trigger host", time, logger), ITriggerHost
{
    private readonly ServiceGroup<long, FileWatch> _watches = new();
    private volatile bool _dropNotifications;

    /// <summary>For tests: pretend the OS lost every notification, so only reconcile scans see changes.</summary>
    internal bool DropNotifications
    {
        get => _dropNotifications;
        set => _dropNotifications = value;
    }

    public void TriggersChanged() => Wake();

    /// <summary>For tests: how many triggers this node watches with their stored state read.</summary>
    internal int LoadedWatches => _watches.Loops.Count(w => w.Loaded);

    /// <summary>Scans every watched directory now, as after lost notifications.</summary>
    internal void ReconcileNow()
    {
        foreach (var watch in _watches.Loops)
        {
            watch.RequestReconcile();
        }
    }

    /// <summary>For tests: what a watcher reports when its buffer overflows (events were lost).</summary>
    internal void SimulateOverflow()
    {
        foreach (var watch in _watches.Loops)
        {
            watch.Hint(FileHint.Overflow(new InternalBufferOverflowException("simulated")));
        }
    }

    /// <summary>Starts a watch for each new file trigger and stops those of triggers that are gone; then sleeps until jobs change.</summary>
    protected override async ValueTask<DateTimeOffset?> RunPassAsync(CancellationToken stopping)
    {
        var triggers = (await store.ListTriggersAsync(null, stopping).ConfigureAwait(false))
            .Where(t => t.Spec is FileTriggerSpec)
            .ToDictionary(t => t.Id);
        foreach (var id in _watches.Keys.Where(id => !triggers.ContainsKey(id)).ToList())
        {
            await _watches.StopAsync(id).ConfigureAwait(false);
        }
        var services = new FileWatchServices(store, Time, wakeDispatcher, Logger, () => _dropNotifications);
        foreach (var trigger in triggers.Values.Where(t => !_watches.TryGet(t.Id, out _)))
        {
            var watch = new FileWatch(trigger, (FileTriggerSpec)trigger.Spec, services);
            _watches.Start(trigger.Id, watch, stopping);
            Logger.LogInformation("File trigger {Trigger} of job {Job} watches {Directory}", trigger.Key, trigger.JobName, watch.Root);
        }
        return null;
    }

    protected override Task OnStoppedAsync() => _watches.StopAllAsync();
}

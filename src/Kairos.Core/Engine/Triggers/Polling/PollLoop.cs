using System.Globalization;
using System.Text.Json.Nodes;
using Kairos.Configuration;
using Kairos.Engine;
using Kairos.Engine.Services;
using Kairos.Model;
using Kairos.Storage;
using Microsoft.Extensions.Logging;

namespace Kairos.Polling;

/// <summary>
/// The loop of one poll trigger (see <see cref="PollTriggerHost"/> for the rules): sleeps until the
/// next poll is due, polls when the job is not paused, and records the outcome. A store error
/// (reading the state, recording the poll) is a failed pass: the state is read again after a
/// back-off that starts at the interval, so a failing database does not make the poll run sooner.
/// </summary>
internal sealed class PollLoop(
    TriggerState trigger,
    PollTriggerSpec spec,
    IKairosStore store,
    JobCatalog jobs,
    PollerResolver pollers,
    TimeProvider time,
    Action wakeDispatcher,
    ILogger logger)
    : EngineLoop($"Poll trigger {trigger.Key} of job {trigger.JobName}", time, logger)
{
    private PollState? _state;
    private DateTimeOffset? _notBefore; // Set while the job is paused.
    private long _lastRecordedPollTicks;

    public TriggerState Trigger { get; } = trigger;

    /// <summary>When the last poll this loop recorded in full (all its runs enqueued) started.</summary>
    public DateTimeOffset? LastRecordedPoll => Interlocked.Read(ref _lastRecordedPollTicks) is var ticks and not 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    protected override Backoff Backoff => PollBackoff.For(pollers.Interval(spec));

    protected override async ValueTask<DateTimeOffset?> RunPassAsync(CancellationToken stop)
    {
        var interval = pollers.Interval(spec);
        try
        {
            _state ??= await store.GetPollStateAsync(Trigger.Id, stop).ConfigureAwait(false) ?? new PollState(null, 0, null);
            if (DueAt(interval) is var due && due > Time.GetUtcNow())
            {
                return due;
            }
            var job = await jobs.GetAsync(Trigger.JobName, 0, stop).ConfigureAwait(false);
            if (job is null || job.Definition.Paused)
            {
                _notBefore = Time.GetUtcNow() + interval;
                return _notBefore;
            }
            _notBefore = null;
            _state = await PollOnceAsync(_state, interval, stop).ConfigureAwait(false);
            Interlocked.Exchange(ref _lastRecordedPollTicks, _state.LastPollAt!.Value.UtcTicks);
            return DueAt(interval);
        }
        catch (Exception) when (!stop.IsCancellationRequested)
        {
            _state = null; // Read it again after the back-off: the store knows what was committed.
            throw;
        }
    }

    /// <summary>The last poll + interval (× backoff after failures); at once if never polled; not while paused.</summary>
    private DateTimeOffset DueAt(TimeSpan interval)
    {
        var due = _state!.LastPollAt is { } last ? last + PollBackoff.Delay(interval, _state.Failures) : Time.GetUtcNow();
        return _notBefore > due ? _notBefore.Value : due;
    }

    /// <summary>Polls once and records the outcome; returns the state now stored.</summary>
    private async Task<PollState> PollOnceAsync(PollState state, TimeSpan interval, CancellationToken stop)
    {
        var polledAt = Time.GetUtcNow();
        var context = new PollContext(Trigger.Id, Trigger.Key, Trigger.JobName, polledAt, state);
        var (result, allowConcurrent, failure) = await PollAsync(context, stop).ConfigureAwait(false);
        var now = Time.GetUtcNow();

        if (result is null)
        {
            var failed = new PollState(polledAt, state.Failures + 1, state.Data);
            Logger.LogWarning("Poll trigger {Trigger} of job {Job} failed ({Failures} in a row; next poll in {Delay}): {Error}",
                Trigger.Key, Trigger.JobName, failed.Failures, Durations.Format(PollBackoff.Delay(interval, failed.Failures)), failure);
            await store.RecordPollAsync(Trigger.Id, failed, null, failure, now, CancellationToken.None).ConfigureAwait(false);
            return failed;
        }

        var stored = new PollState(polledAt, 0, context.State);
        if (result.Fires.Count == 0)
        {
            await store.RecordPollAsync(Trigger.Id, stored, null, null, now, CancellationToken.None).ConfigureAwait(false);
            return stored;
        }
        var created = 0;
        try
        {
            foreach (var fire in result.Fires)
            {
                // One transaction per fire: the state stored is exactly as far as the runs enqueued.
                stored = stored with { Data = fire.State ?? context.State };
                var run = Request(fire.Context, polledAt, allowConcurrent);
                var enqueued = await store.RecordPollAsync(Trigger.Id, stored, run, null, now, CancellationToken.None, Trigger.Spec.Publish).ConfigureAwait(false);
                created += enqueued?.Created == true ? 1 : 0;
            }
        }
        finally
        {
            if (created > 0)
            {
                wakeDispatcher();
            }
        }
        return stored;
    }

    /// <summary>Runs the poller within the trigger's timeout. Returns the result, or null and why it failed.</summary>
    private async Task<(PollResult? Result, bool AllowConcurrent, string? Failure)> PollAsync(PollContext context, CancellationToken stop)
    {
        // The timeout's timer exists before the poller starts, so a poll that hangs is always cut off.
        using var timeout = new CancellationTokenSource(spec.Timeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
        Task<PollResult>? poll = null;
        try
        {
            var poller = pollers.Resolve(spec);
            var allowConcurrent = spec.AllowConcurrent ?? poller.AllowConcurrent;
            poll = poller.PollAsync(context, linked.Token);
            // A poller that ignores its token is abandoned at the timeout, not waited for.
            var result = await poll.WaitAsync(linked.Token).ConfigureAwait(false);
            return result is null ? (null, allowConcurrent, "the poller returned no result") : (result, allowConcurrent, null);
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            throw new OperationCanceledException(stop); // Shutting down: not a failed poll.
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Observe(poll);
            return (null, false, $"the poll did not finish within its timeout of {Durations.Format(spec.Timeout)}");
        }
        catch (Exception ex)
        {
            return (null, false, ex is InvalidOperationException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private RunRequest Request(JsonNode? context, DateTimeOffset polledAt, bool allowConcurrent)
    {
        var payload = new JsonObject
        {
            ["context"] = context?.DeepClone(),
            ["polledAt"] = polledAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["trigger"] = Trigger.Key,
        };
        if (spec.Payload is { } data)
        {
            payload["data"] = JsonNode.Parse(data);
        }
        return new RunRequest(Trigger.JobName, TriggerSources.Poll)
        {
            Payload = payload.ToJsonString(KairosJson.Options),
            TriggerId = Trigger.Id,
            DedupeKey = allowConcurrent ? null : ContextHash.Of(context),
        };
    }

    /// <summary>Keeps an abandoned poll's later failure from surfacing as an unobserved task exception.</summary>
    private static void Observe(Task? poll) =>
        poll?.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
}

using System.Text.Json;
using Kairos.Engine.Services;
using Kairos.Model;
using Kairos.Storage;
using Microsoft.Extensions.Logging;

namespace Kairos.Webhooks;

/// <summary>
/// Deliveries refused before they were accepted, counted instead of stored: a flood of forged,
/// throttled or misdirected requests must cost no disk. Invariants:
/// <list type="bullet">
/// <item>Each refusal adds one to the counter <c>kairos.webhook.deliveries</c> (meter <c>Kairos</c>,
/// tags <c>hook</c> and <c>result</c>: the reason) at once, and nothing to the store.</item>
/// <item>Once a minute, one journal entry per hook that refused something, <c>webhook.refused</c>
/// <c>{hook, reasons: {reason: count}, from, to}</c> (first and last refusal), in one transaction;
/// the rest is written when the engine stops. A failed write keeps the counts for the next pass.</item>
/// <item>Memory is bounded: a name that is not a hook is counted under <see cref="UnknownHook"/>, so
/// requests to random names add no key (to the tallies nor to the metric's tags); the other keys are
/// existing hooks, and the reasons a fixed set.</item>
/// </list>
/// Time is the engine's clock. The counts live in this node's memory: a node that crashes loses at
/// most a minute of them from the journal (the metric has them already).
/// </summary>
internal sealed class WebhookRefusals(IKairosStore store, Observability.KairosMetrics metrics, TimeProvider time, ILogger logger)
    : EngineLoop("webhook refusals", time, logger)
{
    /// <summary>The one key every refusal of an unknown hook name is counted under.</summary>
    public const string UnknownHook = "*unknown*";

    private static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private Dictionary<string, Tally> _tallies = new(StringComparer.Ordinal);

    public void Count(string hook, WebhookRefusalReason reason)
    {
        var key = reason == WebhookRefusalReason.UnknownHook ? UnknownHook : hook;
        var name = ReasonName(reason);
        metrics.WebhookDelivery(key, name);
        var now = Time.GetUtcNow();
        lock (_gate)
        {
            if (!_tallies.TryGetValue(key, out var tally))
            {
                _tallies[key] = tally = new Tally(now);
            }
            tally.Add(name, 1, now);
        }
    }

    /// <summary>How the metric's tag and the journal name a reason.</summary>
    public static string ReasonName(WebhookRefusalReason reason) => reason switch
    {
        WebhookRefusalReason.UnknownHook => "unknown-hook",
        WebhookRefusalReason.AddressRateLimited => "address-rate-limit",
        WebhookRefusalReason.BodyTooLarge => "too-large",
        WebhookRefusalReason.SecretUnavailable => "secret-unavailable",
        WebhookRefusalReason.Signature => "signature",
        WebhookRefusalReason.RateLimited => "rate-limit",
        WebhookRefusalReason.InvalidBody => "invalid-body",
        WebhookRefusalReason.Replayed => "replay",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    /// <summary>How the metric's <c>result</c> tag names what became of a verified delivery (a replay is a refusal, <see cref="ReasonName"/>).</summary>
    public static string OutcomeName(WebhookDeliveryOutcome outcome) => outcome switch
    {
        WebhookDeliveryOutcome.Accepted => "accepted",
        WebhookDeliveryOutcome.NoJobs => "no-jobs",
        WebhookDeliveryOutcome.AllPaused => "all-paused",
        WebhookDeliveryOutcome.Replayed => ReasonName(WebhookRefusalReason.Replayed),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    protected override async ValueTask<DateTimeOffset?> RunPassAsync(CancellationToken stopping)
    {
        await FlushAsync(stopping).ConfigureAwait(false);
        return Time.GetUtcNow() + Period;
    }

    protected override async Task OnStoppedAsync()
    {
        try
        {
            await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Logger.LogWarning(ex, "Journaling the last webhook refusals failed; the metric kairos.webhook.deliveries has counted them");
        }
    }

    /// <summary>Writes and forgets the counts so far; on failure they are kept for the next pass.</summary>
    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        Dictionary<string, Tally> taken;
        lock (_gate)
        {
            if (_tallies.Count == 0)
            {
                return;
            }
            taken = _tallies;
            _tallies = new Dictionary<string, Tally>(StringComparer.Ordinal);
        }
        var now = Time.GetUtcNow();
        try
        {
            await store.WriteAsync(async tx =>
            {
                foreach (var (hook, tally) in taken)
                {
                    var data = JsonSerializer.Serialize(new { hook, reasons = tally.Reasons, from = tally.From, to = tally.To }, KairosJson.Options);
                    await tx.AppendJournalAsync(now, "webhook.refused", null, null, null, data).ConfigureAwait(false);
                }
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_gate)
            {
                foreach (var (hook, tally) in taken)
                {
                    if (_tallies.TryGetValue(hook, out var newer))
                    {
                        tally.Merge(newer);
                    }
                    _tallies[hook] = tally;
                }
            }
            throw;
        }
    }

    private sealed class Tally(DateTimeOffset from)
    {
        public SortedDictionary<string, long> Reasons { get; } = new(StringComparer.Ordinal);
        public DateTimeOffset From { get; private set; } = from;
        public DateTimeOffset To { get; private set; } = from;

        public void Add(string reason, long count, DateTimeOffset at)
        {
            Reasons[reason] = Reasons.GetValueOrDefault(reason) + count;
            From = at < From ? at : From;
            To = at > To ? at : To;
        }

        public void Merge(Tally newer)
        {
            foreach (var (reason, count) in newer.Reasons)
            {
                Add(reason, count, newer.From);
            }
            To = newer.To > To ? newer.To : To;
        }
    }
}

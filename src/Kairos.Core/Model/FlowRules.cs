using System.Text.RegularExpressions;

namespace Kairos.Model;

/// <summary>What a valid <see cref="FlowControl"/> is: the YAML reader and <see cref="JobRules.Validate"/> both ask here.</summary>
internal static partial class FlowRules
{
    /// <summary>The longest period a rate limit, throttle or debounce may count over.</summary>
    public static readonly TimeSpan LongestPeriod = TimeSpan.FromDays(7);

    /// <summary>A key template: text with <c>{{payload…}}</c> paths only; null when valid.</summary>
    public static string? Key(string key)
    {
        if (key.Length is 0 or > 500)
        {
            return "a key must be 1 to 500 characters: text with {{payload.path}} templates";
        }
        foreach (Match m in Expression().Matches(key))
        {
            var path = m.Groups[1].Value.Trim();
            if (!PayloadPath().IsMatch(path))
            {
                return $"'{{{{{path}}}}}' is not a payload template: write {{{{payload}}}} or {{{{payload.a.b}}}}";
            }
        }
        return null;
    }

    public static string? Limit(int limit) =>
        limit is < 1 or > FlowControl.MaxLimit ? $"limit must be 1 to {FlowControl.MaxLimit}, not {limit}" : null;

    public static string? Period(TimeSpan period) =>
        period < TimeSpan.FromMilliseconds(1) || period > LongestPeriod ? "period must be a positive duration of at most 7d" : null;

    /// <summary>A priority template: a key template that says something (a run's priority comes from its payload).</summary>
    public static string? PriorityTemplate(string template) =>
        Key(template) ?? (Expression().IsMatch(template) ? null : "priority must be a template over the payload, e.g. {{payload.urgency}}; a fixed priority is the job's priority");

    /// <summary>Every problem of <paramref name="flow"/>, each prefixed by its field (<c>flow.concurrency[0].limit</c>).</summary>
    public static void Validate(FlowControl flow, List<string> errors)
    {
        Add(errors, "flow.priority", flow.Priority is null ? null : PriorityTemplate(flow.Priority));
        if (flow.Concurrency.Count > FlowControl.MaxConcurrencyKeys)
        {
            errors.Add($"flow.concurrency: at most {FlowControl.MaxConcurrencyKeys} limits");
        }
        for (var i = 0; i < flow.Concurrency.Count; i++)
        {
            var c = flow.Concurrency[i];
            if (c is null)
            {
                errors.Add($"flow.concurrency[{i}]: must be {{ key, limit }}");
                continue;
            }
            Add(errors, $"flow.concurrency[{i}].key", c.Key is null ? null : Key(c.Key));
            Add(errors, $"flow.concurrency[{i}].limit", Limit(c.Limit));
        }
        if (flow.RateLimit is { } rate)
        {
            Add(errors, "flow.rateLimit.key", rate.Key is null ? null : Key(rate.Key));
            Add(errors, "flow.rateLimit.limit", Limit(rate.Limit));
            Add(errors, "flow.rateLimit.period", Period(rate.Period));
        }
        if (flow.Singleton is { } singleton)
        {
            Add(errors, "flow.singleton.key", singleton.Key is null ? null : Key(singleton.Key));
            if (!Enum.IsDefined(singleton.Mode))
            {
                errors.Add("flow.singleton.mode: one of skip, cancel");
            }
        }
        if (flow.Throttle is { } throttle)
        {
            Add(errors, "flow.throttle.key", throttle.Key is null ? null : Key(throttle.Key));
            Add(errors, "flow.throttle.limit", Limit(throttle.Limit));
            Add(errors, "flow.throttle.period", Period(throttle.Period));
            if (throttle.Burst is < 1 or > FlowControl.MaxLimit)
            {
                errors.Add($"flow.throttle.burst: must be 1 to {FlowControl.MaxLimit}, not {throttle.Burst}");
            }
        }
        ValidateGathering(flow, errors);
        ValidateCancelOn(flow.CancelOn, errors);
    }

    /// <summary>
    /// Null, or why <paramref name="flow"/> cannot go with the triggers: a cron or interval trigger whose
    /// overlap makes runs wait for the one before them (buffer-one, buffer-all, cancel-other,
    /// terminate-other) decides when they start, and so do debounce, batch and throttle.
    /// </summary>
    public static string? WithOverlap(FlowControl? flow, IEnumerable<TriggerSpec> triggers)
    {
        var timing = flow is null ? null : flow.Debounce is not null ? "debounce" : flow.Batch is not null ? "batch" : flow.Throttle is not null ? "throttle" : null;
        var waits = triggers.FirstOrDefault(t => Engine.Scheduling.TriggerOverlaps.MayWait(t.Overlap))?.Overlap;
        return timing is null || waits is null
            ? null
            : $"flow.{timing}: cannot go with a trigger whose overlap ({System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(waits.Value.ToString())}) makes runs wait for the one before them: both decide when a run starts; use overlap skip or allow-all, or leave {timing} out";
    }

    /// <summary>A cancelOn match path: where in the event the value is read (<c>data</c>, <c>data.orderId</c>); null when valid.</summary>
    public static string? EventPath(string path) =>
        EventDataPath().IsMatch(path) ? null : $"{InputText.Quote(path)} is not a path into the event's data: write data or data.a.b";

    /// <summary>A cancelOn event type pattern, matched in the job's namespace; null when valid.</summary>
    public static string? CancelEvent(string pattern)
    {
        if (!Events.EventTypePattern.TryParse(pattern, out _, out var error))
        {
            return error;
        }
        if (pattern.Contains('/', StringComparison.Ordinal))
        {
            return $"event type pattern {InputText.Quote(pattern)} names a namespace: the job's own is meant, write the type without it";
        }
        return pattern.Split('.')[0] == "run"
            ? "the run.* events of finished runs do not cancel runs (cancel from the job that finished, or subscribe to them)"
            : null;
    }

    public static string? CancelTimeout(TimeSpan timeout) =>
        timeout <= TimeSpan.Zero || timeout > Configuration.Durations.Longest ? "timeout must be a positive duration of at most 100 years" : null;

    private static void ValidateCancelOn(IReadOnlyList<CancelOnRule> rules, List<string> errors)
    {
        if (rules.Count > FlowControl.MaxCancelOn)
        {
            errors.Add($"flow.cancelOn: at most {FlowControl.MaxCancelOn} rules");
        }
        for (var i = 0; i < rules.Count; i++)
        {
            var field = $"flow.cancelOn[{i}]";
            if (rules[i] is not { } rule)
            {
                errors.Add($"{field}: must be {{ event, match, timeout }}");
                continue;
            }
            Add(errors, field + ".event", rule.Event is null ? "an event type pattern is required" : CancelEvent(rule.Event));
            if (rule.Timeout is { } timeout)
            {
                Add(errors, field + ".timeout", CancelTimeout(timeout));
            }
            if (rule.Match is not { } match)
            {
                continue;
            }
            if (match.Count > CancelOnRule.MaxMatch)
            {
                errors.Add($"{field}.match: at most {CancelOnRule.MaxMatch} entries");
            }
            foreach (var (path, template) in match)
            {
                Add(errors, $"{field}.match.{path}", EventPath(path) ?? (template is null ? "must be a template over the payload, e.g. {{payload.orderId}}" : Key(template)));
            }
        }
    }

    private static void ValidateGathering(FlowControl flow, List<string> errors)
    {
        if (flow.Debounce is { } debounce)
        {
            Add(errors, "flow.debounce.key", debounce.Key is null ? null : Key(debounce.Key));
            Add(errors, "flow.debounce.period", Period(debounce.Period));
            if (debounce.Timeout is { } timeout)
            {
                Add(errors, "flow.debounce.timeout", timeout < debounce.Period ? "timeout must not be shorter than the period" : Period(timeout)?.Replace("period", "timeout", StringComparison.Ordinal));
            }
        }
        if (flow.Batch is { } batch)
        {
            Add(errors, "flow.batch.key", batch.Key is null ? null : Key(batch.Key));
            if (batch.MaxSize is < 1 or > FlowControl.MaxBatchSize)
            {
                errors.Add($"flow.batch.maxSize: must be 1 to {FlowControl.MaxBatchSize}, not {batch.MaxSize}");
            }
            Add(errors, "flow.batch.timeout", Period(batch.Timeout)?.Replace("period", "timeout", StringComparison.Ordinal));
            if (flow.Debounce is not null)
            {
                errors.Add("flow.batch: a job either debounces or batches its runs, not both");
            }
        }
    }

    private static void Add(List<string> errors, string field, string? error)
    {
        if (error is not null)
        {
            errors.Add($"{field}: {error}");
        }
    }

    [GeneratedRegex(@"\{\{(.*?)\}\}")]
    private static partial Regex Expression();

    [GeneratedRegex(@"^payload(\.[^.\s]+)*\z")]
    private static partial Regex PayloadPath();

    [GeneratedRegex(@"^data(\.[^.\s{}]+)*\z")]
    private static partial Regex EventDataPath();
}

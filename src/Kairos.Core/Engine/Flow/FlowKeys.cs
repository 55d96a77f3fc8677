using System.Collections.Concurrent;
using System.Text.Json;
using Kairos.Executors;
using Kairos.Model;

namespace Kairos.Engine.Flow;

/// <summary>
/// How flow control is stored and keyed. A job's rules are stored with its row as JSON (null: no
/// rule, so the plain enqueue and claim paths never look further). A key is the job, the rule and
/// the key template's value over the run's payload: rules never share a key, nor jobs.
/// </summary>
internal static class FlowKeys
{
    // Parsed rules by their stored text: a flow job's enqueues parse them once, not per run.
    private static readonly ConcurrentDictionary<string, FlowControl> Parsed = new(StringComparer.Ordinal);

    /// <summary>
    /// The job's enqueue and claim rules as its row stores them; null when it has none. Its
    /// <c>cancelOn</c> rules are stored apart (<see cref="CancelOnEvents.Stored"/>): a job with only
    /// those keeps the plain enqueue and claim paths.
    /// </summary>
    public static string? Stored(JobDefinition job) =>
        job.Flow is { HasRunRules: true } flow ? JsonSerializer.Serialize(flow with { CancelOn = [] }, KairosJson.Options) : null;

    /// <summary>The rules stored by <see cref="Stored"/>.</summary>
    public static FlowControl Parse(string stored)
    {
        if (Parsed.TryGetValue(stored, out var flow))
        {
            return flow;
        }
        flow = JsonSerializer.Deserialize<FlowControl>(stored, KairosJson.Options) ?? new FlowControl();
        if (Parsed.Count < 1024)
        {
            Parsed[stored] = flow;
        }
        return flow;
    }

    /// <summary>
    /// The key of <paramref name="rule"/> of <paramref name="job"/> for a run with
    /// <paramref name="payload"/>: the template rendered over the payload, a path the payload lacks
    /// counting as empty (such runs share one key), no template meaning the whole job.
    /// </summary>
    public static string For(string job, string rule, string? template, string? payload)
    {
        var value = template is null ? "" : Render(template, payload);
        return template is null ? $"{job}\n{rule}" : $"{job}\n{rule}\n{template}\n{value}";
    }

    private static string Render(string template, string? payload)
    {
        try
        {
            return PayloadTemplate.Render(template, payload);
        }
        catch (TemplateException)
        {
            return "";
        }
    }
}

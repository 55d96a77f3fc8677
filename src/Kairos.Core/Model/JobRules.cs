using System.Globalization;
using System.Text.RegularExpressions;
using Kairos.Access;
using Kairos.Configuration;
using Kairos.Cron;

namespace Kairos.Model;

/// <summary>
/// The rules a job definition must meet, one method per field, shared by the YAML loader (which
/// adds line and column) and by the API and library (which add the field path).
/// Each returns null when the value is fine, else what is wrong.
/// </summary>
internal static partial class JobRules
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\\z")]
    private static partial Regex NamePattern();

    /// <summary>A name used in URLs and on the command line: a job's, a webhook's, a subscription's or a queue's (<paramref name="what"/>).</summary>
    public static string? Name(string? name, string what = "job") =>
        name is not null && NamePattern().IsMatch(name)
            ? null
            : $"{InputText.Quote(name)} is not a valid {what} name: use 1–128 letters, digits, '.', '_' or '-', starting with a letter or digit";

    /// <summary>A job's, webhook's or subscription's name, which may say its namespace first (<c>billing/report</c>; see <see cref="Namespaces"/>).</summary>
    public static string? QualifiedName(string? name, string what = "job")
    {
        var slash = name?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        return slash < 0 ? Name(name, what) : Namespaces.Check(name![..slash]) ?? Name(name[(slash + 1)..], what);
    }

    /// <summary>Null when <paramref name="reference"/> is in the same namespace as <paramref name="owner"/>: nothing reaches across namespaces.</summary>
    public static string? SameNamespace(string owner, string reference, string what) =>
        Namespaces.Of(owner) == Namespaces.Of(reference)
            ? null
            : $"{what} '{reference}' is in namespace '{Namespaces.Of(reference)}', and '{owner}' may only name {what}s of its own namespace '{Namespaces.Of(owner)}'";

    /// <summary>A duration that a timer waits for (a timeout, a kill grace): positive and at most <see cref="Durations.LongestTimer"/>.</summary>
    public static string? Timer(TimeSpan value, string what) =>
        value <= TimeSpan.Zero ? $"{what} must be greater than zero"
        : value > Durations.LongestTimer ? $"{what} {Durations.Format(value)} is longer than 49d, the longest a timer can wait"
        : null;

    /// <summary>A period stored as a time to come (an interval, a retry delay): positive and at most <see cref="Durations.Longest"/>.</summary>
    public static string? Period(TimeSpan value, string what) =>
        value <= TimeSpan.Zero ? $"{what} must be greater than zero"
        : value > Durations.Longest ? $"{what} is longer than 100 years"
        : null;

    /// <summary>An HTTP method: a short word of letters (GET, POST, PATCH…); anything else fails every request.</summary>
    public static string? HttpMethod(string? method) =>
        method is not null && HttpMethodPattern().IsMatch(method)
            ? null
            : $"{InputText.Quote(method)} is not an HTTP method: use a word such as GET, POST, PUT, PATCH or DELETE";

    [GeneratedRegex("^[A-Za-z]{1,20}\\z")]
    private static partial Regex HttpMethodPattern();

    public static string? Priority(int priority) =>
        priority is >= JobDefinition.MinPriority and <= JobDefinition.MaxPriority
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"priority {priority} is out of range: use 1 (lowest) to 10 (highest)");

    public static string? CronExpression(string expression) =>
        CronSchedule.TryParse(expression, out _, out var error) ? null : error;

    /// <summary>
    /// An IANA zone name. On Linux and macOS a zone id is a path under the zone database, so only
    /// plain names are looked up: a directory (<c>Europe</c>), a relative path or an unreadable
    /// file answers with file-system errors, which here all mean "unknown time zone".
    /// </summary>
    public static string? TimeZone(string? zone)
    {
        var unknown = $"unknown time zone {InputText.Quote(zone)}: use an IANA name such as Europe/Paris or UTC";
        if (zone is null || zone.Length > 64 || !ZonePattern().IsMatch(zone))
        {
            return unknown;
        }
        try
        {
            TimeZoneInfo.FindSystemTimeZoneById(zone);
            return null;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or System.Security.SecurityException
            or IOException or UnauthorizedAccessException)
        {
            return unknown;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*\\z")]
    private static partial Regex ZonePattern();

    public static string? Retry(RetryPolicy retry)
    {
        if (retry.MaxAttempts is < 1 or > 1000)
        {
            return "retry.maxAttempts must be 1 to 1000 (1 means no retries)";
        }
        if (retry.InitialDelay < TimeSpan.Zero || retry.MaxDelay < TimeSpan.Zero)
        {
            return "retry delays cannot be negative";
        }
        if (retry.MaxDelay > Durations.Longest)
        {
            return "retry.maxDelay is longer than 100 years";
        }
        if (retry.MaxDelay < retry.InitialDelay)
        {
            return "retry.maxDelay must not be shorter than retry.initialDelay";
        }
        return retry.Jitter is < 0 or > 1 ? "retry.jitter must be between 0 and 1 (a fraction of the delay)" : null;
    }

    /// <summary>Every problem of a whole definition, each prefixed by the field it concerns.</summary>
    public static IReadOnlyList<string> Validate(JobDefinition job, Func<string, bool>? handlerExists = null)
    {
        var errors = new List<string>();
        AddIf(errors, "name", QualifiedName(job.Name));
        AddIf(errors, "priority", Priority(job.Priority));
        if (job.Timeout is { } timeout)
        {
            AddIf(errors, "timeout", Timer(timeout, "timeout"));
        }
        AddIf(errors, "retry", Retry(job.Retry));
        if (job.Concurrency.MaxInstances is < 1)
        {
            errors.Add("concurrency.maxInstances: must be at least 1");
        }
        AddIf(errors, "queue", Name(job.Queue, "queue"));
        if (job.Flow is { } flow)
        {
            FlowRules.Validate(flow, errors);
        }
        if (FlowRules.WithOverlap(job.Flow, job.Triggers) is { } overlapError)
        {
            errors.Add(overlapError);
        }
        CheckExecutor(job.Executor, handlerExists, errors);
        if (job.Executor is WorkflowExecutorSpec workflow)
        {
            Workflows.WorkflowRules.Validate(job.Name, workflow, handlerExists, errors);
        }
        CheckNotifications(job, errors);
        if (job.PauseAfterFailures is < 1 or > JobDefinition.MaxPauseAfterFailures)
        {
            errors.Add($"pauseAfterFailures: must be 1 to {JobDefinition.MaxPauseAfterFailures}, not {job.PauseAfterFailures}");
        }
        for (var i = 0; i < job.Triggers.Count; i++)
        {
            var field = $"triggers[{i}]";
            if (job.Triggers[i].Jitter is { } jitter && (job.Triggers[i] is not (CronTriggerSpec or IntervalTriggerSpec or OnceTriggerSpec) || jitter <= TimeSpan.Zero || jitter > TriggerSpec.MaxJitter))
            {
                errors.Add($"{field}.jitter: a positive duration of at most 1d, on cron, interval and once triggers only");
            }
            if (job.Triggers[i].CatchUp is { } catchUp && (job.Triggers[i] is not (CronTriggerSpec or IntervalTriggerSpec) || catchUp <= TimeSpan.Zero || catchUp > Durations.Longest))
            {
                errors.Add($"{field}.catchUp: a positive duration of at most 100 years, on cron and interval triggers only");
            }
            if (job.Triggers[i].Overlap is { } overlap && (job.Triggers[i] is not (CronTriggerSpec or IntervalTriggerSpec) || !Enum.IsDefined(overlap)))
            {
                errors.Add($"{field}.overlap: one of allow-all, skip, buffer-one, buffer-all, cancel-other, terminate-other, on cron and interval triggers only");
            }
            if (job.Triggers[i].Publish is { } publish)
            {
                AddIf(errors, field + ".publish", job.Triggers[i] is not (FileTriggerSpec or PollTriggerSpec)
                    ? "only file and poll triggers publish (a webhook publishes from its own definition)"
                    : PublishedType(publish));
            }
            switch (job.Triggers[i])
            {
                case CronTriggerSpec cron:
                    AddIf(errors, field + ".cron", CronExpression(cron.Expression));
                    AddIf(errors, field + ".timeZone", TimeZone(cron.TimeZone));
                    break;
                case IntervalTriggerSpec interval:
                    AddIf(errors, field + ".interval", Period(interval.Every, "interval"));
                    break;
                case WebhookTriggerSpec hook:
                    AddIf(errors, field + ".webhook", QualifiedName(hook.Hook, "webhook") ?? SameNamespace(job.Name, hook.Hook, "webhook"));
                    break;
                case FileTriggerSpec file:
                    if (!System.IO.Path.IsPathFullyQualified(file.Path))
                    {
                        errors.Add($"{field}.file: '{file.Path}' must be an absolute directory path");
                    }
                    if (file.Events.Count == 0 || file.Settle < TimeSpan.Zero || file.Settle > Durations.LongestTimer || file.Reconcile <= TimeSpan.Zero)
                    {
                        errors.Add($"{field}: a file trigger needs at least one event, a settle time of 0 to 49d and a positive reconcile interval");
                    }
                    AddIf(errors, field + ".reconcile", Timer(file.Reconcile, "reconcile"));
                    break;
                case PollTriggerSpec poll:
                    if (new object?[] { poll.Poller, poll.Http, poll.Sql }.Count(x => x is not null) != 1)
                    {
                        errors.Add($"{field}.poll: give exactly one of a poller name, http or sql");
                    }
                    if (poll.Poller is null && poll.Interval is null)
                    {
                        errors.Add($"{field}.poll: needs an interval (every)");
                    }
                    if (poll.Interval is { } every)
                    {
                        AddIf(errors, field + ".every", Period(every, "every"));
                    }
                    AddIf(errors, field + ".timeout", Timer(poll.Timeout, "timeout"));
                    break;
                case CompletionTriggerSpec completion:
                    AddIf(errors, field + ".completion", QualifiedName(completion.Job) ?? SameNamespace(job.Name, completion.Job, "job"));
                    if (completion.MaxDepth is < 1)
                    {
                        errors.Add($"{field}.maxDepth: must be at least 1");
                    }
                    break;
            }
            if (job.Triggers[i].Payload is { } payload)
            {
                try
                {
                    KairosJson.EnsureValid(payload, "payload");
                }
                catch (KairosValidationException ex)
                {
                    errors.Add($"{field}.payload: {ex.Message}");
                }
            }
        }
        return errors;
    }

    internal static void CheckExecutor(ExecutorSpec executor, Func<string, bool>? handlerExists, List<string> errors)
    {
        switch (executor)
        {
            case HandlerExecutorSpec handler when handlerExists is not null && !handlerExists(handler.Handler):
                errors.Add($"handler: no handler named {InputText.Quote(handler.Handler)} is registered");
                break;
            case CommandExecutorSpec command:
                if (command.Argv.Count == 0 || string.IsNullOrWhiteSpace(command.Argv[0]))
                {
                    errors.Add("command: the argument list must start with the executable");
                }
                if (command.Argv.Contains(null!) || command.Env.Values.Contains(null!))
                {
                    errors.Add("command: arguments and environment values must be text, not null");
                }
                if (command.MaxOutputBytes < 1024)
                {
                    errors.Add("command.maxOutputBytes: must be at least 1024");
                }
                AddIf(errors, "command.killGrace", Timer(command.KillGracePeriod, "killGrace"));
                if (command.AllowOptions.FirstOrDefault(i => i < 1 || i >= command.Argv.Count, -1) is var bad and not -1)
                {
                    errors.Add($"command.allowOptions: {bad} is not the index of an argument (1 to {command.Argv.Count - 1})");
                }
                break;
            case HttpExecutorSpec http:
                CheckHttp(http, errors);
                break;
        }
        errors.AddRange(Secrets.SecretReferences.Misplaced(executor));
    }

    private static void CheckHttp(HttpExecutorSpec http, List<string> errors)
    {
        AddIf(errors, "http.method", HttpMethod(http.Method));
        AddIf(errors, "http.url", HttpUrl(http.Url));
        if (http.Headers.Values.Contains(null!))
        {
            errors.Add("http.headers: header values must be text, not null");
        }
        if (http.MaxResponseBytes < 1)
        {
            errors.Add("http.maxResponseBytes: must be at least 1");
        }
        if (http.RequestTimeout is { } requestTimeout)
        {
            AddIf(errors, "http.timeout", Timer(requestTimeout, "timeout"));
        }
    }

    private static void AddIf(List<string> errors, string field, string? error)
    {
        if (error is not null)
        {
            errors.Add($"{field}: {error}");
        }
    }

    public static string? HttpUrl(string? url)
    {
        if (url is null)
        {
            return "an http executor needs a url";
        }
        // A template may fill the host, so only a literal URL is checked fully.
        if (url.Contains("{{", StringComparison.Ordinal))
        {
            return url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("{{", StringComparison.Ordinal)
                ? null
                : $"'{url}' must start with http:// or https://";
        }
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? null
            : $"'{url}' is not an absolute http(s) URL";
    }
}

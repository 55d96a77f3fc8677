using System.Globalization;
using System.Text.RegularExpressions;
using Kairos.Cron;

namespace Kairos.Model;

/// <summary>
/// The rules a job definition must meet, one method per field, shared by the YAML loader (which
/// adds line and column) and by the API and library (which add the field path).
/// Each returns null when the value is fine, else what is wrong.
/// </summary>
internal static partial class JobRules
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex NamePattern();

    public static string? Name(string? name) =>
        name is not null && NamePattern().IsMatch(name)
            ? null
            : $"'{name}' is not a valid job name: use 1–128 letters, digits, '.', '_' or '-', starting with a letter or digit";

    public static string? Priority(int priority) =>
        priority is >= JobDefinition.MinPriority and <= JobDefinition.MaxPriority
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"priority {priority} is out of range: use 1 (lowest) to 10 (highest)");

    public static string? Positive(TimeSpan value, string what) =>
        value > TimeSpan.Zero ? null : $"{what} must be greater than zero";

    public static string? CronExpression(string expression) =>
        CronSchedule.TryParse(expression, out _, out var error) ? null : error;

    public static string? TimeZone(string zone)
    {
        try
        {
            TimeZoneInfo.FindSystemTimeZoneById(zone);
            return null;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return $"unknown time zone '{zone}': use an IANA name such as Europe/Paris or UTC";
        }
    }

    public static string? Retry(RetryPolicy retry)
    {
        if (retry.MaxAttempts < 1)
        {
            return "retry.maxAttempts must be at least 1 (1 means no retries)";
        }
        if (retry.InitialDelay < TimeSpan.Zero || retry.MaxDelay < TimeSpan.Zero)
        {
            return "retry delays cannot be negative";
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
        void Check(string field, string? error)
        {
            if (error is not null)
            {
                errors.Add($"{field}: {error}");
            }
        }

        Check("name", Name(job.Name));
        Check("priority", Priority(job.Priority));
        if (job.Timeout is { } timeout)
        {
            Check("timeout", Positive(timeout, "timeout"));
        }
        Check("retry", Retry(job.Retry));
        if (job.Concurrency.MaxInstances is < 1)
        {
            errors.Add("concurrency.maxInstances: must be at least 1");
        }
        if (string.IsNullOrWhiteSpace(job.Queue))
        {
            errors.Add("queue: must not be empty");
        }
        switch (job.Executor)
        {
            case HandlerExecutorSpec handler when handlerExists is not null && !handlerExists(handler.Handler):
                errors.Add($"handler: no handler named '{handler.Handler}' is registered");
                break;
            case CommandExecutorSpec command when command.Argv.Count == 0 || string.IsNullOrWhiteSpace(command.Argv[0]):
                errors.Add("command: the argument list must start with the executable");
                break;
            case CommandExecutorSpec command when command.AllowOptions.Any(i => i < 1 || i >= command.Argv.Count):
                errors.Add($"command.allowOptions: {command.AllowOptions.First(i => i < 1 || i >= command.Argv.Count)} is not the index of an argument (1 to {command.Argv.Count - 1})");
                break;
            case HttpExecutorSpec http:
                Check("http.url", HttpUrl(http.Url));
                break;
        }
        errors.AddRange(Secrets.SecretReferences.Misplaced(job.Executor));
        for (var i = 0; i < job.Triggers.Count; i++)
        {
            var field = $"triggers[{i}]";
            switch (job.Triggers[i])
            {
                case CronTriggerSpec cron:
                    Check(field + ".cron", CronExpression(cron.Expression));
                    Check(field + ".timeZone", TimeZone(cron.TimeZone));
                    break;
                case IntervalTriggerSpec interval:
                    Check(field + ".interval", Positive(interval.Every, "interval"));
                    break;
                case WebhookTriggerSpec hook:
                    Check(field + ".webhook", Name(hook.Hook)?.Replace("job name", "webhook name", StringComparison.Ordinal));
                    break;
                case FileTriggerSpec file:
                    if (!System.IO.Path.IsPathFullyQualified(file.Path))
                    {
                        errors.Add($"{field}.file: '{file.Path}' must be an absolute directory path");
                    }
                    if (file.Events.Count == 0 || file.Settle < TimeSpan.Zero || file.Reconcile <= TimeSpan.Zero)
                    {
                        errors.Add($"{field}: a file trigger needs at least one event, a settle time ≥ 0 and a positive reconcile interval");
                    }
                    break;
                case PollTriggerSpec poll:
                    if (new object?[] { poll.Poller, poll.Http, poll.Sql }.Count(x => x is not null) != 1)
                    {
                        errors.Add($"{field}.poll: give exactly one of a poller name, http or sql");
                    }
                    if ((poll.Poller is null && poll.Interval is null) || poll.Interval <= TimeSpan.Zero || poll.Timeout <= TimeSpan.Zero)
                    {
                        errors.Add($"{field}.poll: needs a positive interval (every) and timeout");
                    }
                    break;
                case CompletionTriggerSpec completion:
                    Check(field + ".completion", Name(completion.Job));
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

    public static string? HttpUrl(string url)
    {
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

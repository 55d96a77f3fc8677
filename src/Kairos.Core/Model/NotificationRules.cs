namespace Kairos.Model;

/// <summary>The rules a job's <see cref="JobDefinition.Notify"/> list must meet, shared by the YAML loader and the API.</summary>
internal static partial class JobRules
{
    /// <summary>The internal job whose runs deliver HTTP notifications; no definition may take its name.</summary>
    public const string NotificationJob = "kairos.notify";

    /// <summary>Every problem of one notification, as (field under it, message).</summary>
    public static IEnumerable<(string Field, string Message)> Notification(Notification notification)
    {
        if (notification.On is not { Count: > 0 } on || on.Any(o => !Enum.IsDefined(o)))
        {
            yield return ("on", "must name at least one of failed, dead, succeeded, cancelled");
        }
        if ((notification.Http is null) == (notification.Event is null))
        {
            yield return ("", "needs exactly one of http or event");
        }
        if (notification.Event is { } type && PublishedType(type) is { } typeError)
        {
            yield return ("event", typeError);
        }
        if (notification.Http is { } http)
        {
            var errors = new List<string>();
            CheckHttp(http, errors);
            foreach (var error in errors.Concat(Secrets.SecretReferences.Misplaced(http)))
            {
                yield return ("", error);
            }
        }
    }

    /// <summary>A type a job, trigger or webhook publishes: a valid type that is not one of Kairos's own (run.*, job.*).</summary>
    public static string? PublishedType(string type) =>
        Events.EventTypePattern.CheckType(type) is { } error ? error
        : type.StartsWith("run.", StringComparison.Ordinal) || type.StartsWith("job.", StringComparison.Ordinal)
            ? $"'{type}' is an event type Kairos publishes itself (run.*, job.*); choose another"
            : null;

    private static void CheckNotifications(JobDefinition job, List<string> errors)
    {
        if (job.Timeouts is { } timeouts)
        {
            if (timeouts.Start is null && timeouts.Finish is null)
            {
                errors.Add("timeouts: give start, finish or both");
            }
            if (timeouts.Start is { } start)
            {
                AddIf(errors, "timeouts.start", Timer(start, "start"));
            }
            if (timeouts.Finish is { } finish)
            {
                AddIf(errors, "timeouts.finish", Timer(finish, "finish"));
            }
        }
        if (job.Name == NotificationJob)
        {
            errors.Add($"name: '{NotificationJob}' is the internal job that delivers notifications");
        }
        if (job.Name == Workflows.WorkflowStepJob.Name)
        {
            errors.Add($"name: '{Workflows.WorkflowStepJob.Name}' is the internal job that runs workflows' inline steps");
        }
        if (job.Notify.Count > JobDefinition.MaxNotifications)
        {
            errors.Add($"notify: at most {JobDefinition.MaxNotifications} notifications, not {job.Notify.Count}");
        }
        for (var i = 0; i < job.Notify.Count; i++)
        {
            if (job.Notify[i] is null)
            {
                errors.Add($"notify[{i}]: must be a notification, not null");
                continue;
            }
            foreach (var (field, message) in Notification(job.Notify[i]))
            {
                errors.Add($"notify[{i}]{(field.Length == 0 ? "" : "." + field)}: {message}");
            }
        }
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Events;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Webhooks;

namespace Kairos.Configuration.Schema;

/// <summary>
/// Renders jobs, subscriptions and webhooks in the schema of the YAML file (<see cref="JobDocument"/>):
/// what <c>GET /api/jobs/NAME</c> answers and what <c>kairos jobs create</c> and <c>jobs edit</c> send.
/// A field at its default is left out, so the output reads like a file a person wrote, and reading
/// it back (<see cref="DefinitionReader"/>) gives the same definition: GET then PUT changes nothing.
/// </summary>
internal static class DefinitionWriter
{
    public static JsonObject Job(JobDefinition job) => ToJson(JobDocument(job));

    /// <summary>A stored job with its read-only status: version and trigger fire times.</summary>
    public static JsonObject Job(StoredJob job, IEnumerable<TriggerState> triggers) => ToJson(JobDocument(job.Definition) with
    {
        Status = new JobStatusDocument(job.Version, job.UpdatedAt,
            triggers.Select(t => new TriggerStatusDocument(t.Id, t.Key, t.Spec.Source, t.NextFireAt, t.LastFireAt)).ToList()),
    });

    public static JsonObject Subscription(Subscription subscription) => ToJson(new SubscriptionDocument
    {
        Name = subscription.Name,
        Events = subscription.Pattern,
        Filter = subscription.Filter == "{}" ? null : JsonNode.Parse(subscription.Filter),
        Job = subscription.Job,
        Active = subscription.Active, // Written even when true: it is also state, switched on and off.
        Status = subscription.OwnerJob is null && subscription.MaxDepth is null ? null : new SubscriptionStatusDocument(subscription.OwnerJob, subscription.MaxDepth),
    });

    public static JsonObject Webhook(WebhookDefinition hook)
    {
        var defaults = new WebhookDefinition(hook.Name);
        return ToJson(new WebhookDocument
        {
            Name = hook.Name,
            Verify = hook.Verification == defaults.Verification ? null : WebhookOptionNames.Name(WebhookOptionNames.Verifications, hook.Verification),
            // A stored secret's reference and a variable's name round trip; a literal secret is never shown.
            Secret = hook.Secret?.SecretName is { } secret ? $"{{{{secrets.{secret}}}}}" : null,
            SecretEnv = hook.Secret?.EnvironmentVariable,
            ReplayWindow = hook.ReplayWindow == defaults.ReplayWindow ? null : Durations.Format(hook.ReplayWindow),
            MaxBodyBytes = hook.MaxBodyBytes == defaults.MaxBodyBytes ? null : hook.MaxBodyBytes,
            RateLimit = hook.RateLimit is { } rate ? new WebhookRateDocument(rate.Requests, Durations.Format(rate.Per)) : null,
            Headers = NoneIfEmpty(hook.Headers),
            Hmac = hook.Hmac is { } hmac ? Hmac(hmac) : null,
            Publish = hook.Publish,
            Status = new WebhookStatusDocument($"/hooks/{hook.Name}", hook.Secret?.Describe()),
        });
    }

    private static WebhookHmacDocument Hmac(HmacVerification hmac)
    {
        var defaults = new HmacVerification(hmac.Header);
        return new WebhookHmacDocument(hmac.Header)
        {
            Algorithm = hmac.Algorithm == defaults.Algorithm ? null : WebhookOptionNames.Name(WebhookOptionNames.Algorithms, hmac.Algorithm),
            Encoding = hmac.Encoding == defaults.Encoding ? null : WebhookOptionNames.Name(WebhookOptionNames.Encodings, hmac.Encoding),
            Prefix = hmac.Prefix,
            SignedContent = hmac.SignedContent == defaults.SignedContent ? null : hmac.SignedContent,
            TimestampHeader = hmac.TimestampHeader,
        };
    }

    private static JobDocument JobDocument(JobDefinition job)
    {
        var executor = Executor(job.Executor);
        return new JobDocument
        {
            Name = job.Name,
            Handler = executor.Handler,
            Command = executor.Command,
            Http = executor.Http,
            Workflow = job.Executor is WorkflowExecutorSpec workflow ? WorkflowWriter.Workflow(workflow) : null,
            Queue = job.Queue,
            Priority = job.Priority,
            Timeout = Duration(job.Timeout),
            Retry = job.Retry == RetryPolicy.Default ? null : Retry(job.Retry),
            Concurrency = job.Concurrency == ConcurrencyPolicy.Unlimited
                ? null
                : new ConcurrencyDocument(job.Concurrency.MaxInstances, job.Concurrency.OnOverlap == OverlapPolicy.Queue ? null : job.Concurrency.OnOverlap),
            Paused = job.Paused, // Written even when false: it is also state, set by pause and resume.
            PauseAfterFailures = job.PauseAfterFailures,
            Triggers = NoneIfEmpty(job.Triggers.Select(TriggerWriter.Trigger).ToList()),
            Flow = job.Flow is { } flow ? FlowWriter.Flow(flow) : null,
            Notify = NoneIfEmpty(job.Notify.Select(n => new NotificationDocument(n.On.ToList()) { Http = n.Http is { } h ? Http(h) : null, Event = n.Event }).ToList()),
            Timeouts = job.Timeouts is { } t ? new TimeoutsDocument(Duration(t.Start), Duration(t.Finish)) : null,
        };
    }

    /// <summary>A job's or a step's executor, under the key that names its kind (a workflow is the job's alone).</summary>
    internal static (string? Handler, CommandDocument? Command, HttpDocument? Http) Executor(ExecutorSpec? executor) => executor switch
    {
        HandlerExecutorSpec handler => (handler.Handler, null, null),
        CommandExecutorSpec command => (null, Command(command), null),
        HttpExecutorSpec http => (null, null, Http(http)),
        _ => (null, null, null),
    };

    private static CommandDocument Command(CommandExecutorSpec command)
    {
        var defaults = new CommandExecutorSpec(command.Argv);
        return new CommandDocument(command.Argv.ToList())
        {
            Env = command.Env.Count == 0 ? null : new Dictionary<string, string>(command.Env),
            WorkingDirectory = command.WorkingDirectory,
            MaxOutputBytes = command.MaxOutputBytes == defaults.MaxOutputBytes ? null : command.MaxOutputBytes,
            KillGrace = command.KillGracePeriod == defaults.KillGracePeriod ? null : Durations.Format(command.KillGracePeriod),
            AllowOptions = NoneIfEmpty(command.AllowOptions),
        };
    }

    internal static HttpDocument Http(HttpExecutorSpec http)
    {
        var defaults = new HttpExecutorSpec(http.Method, http.Url);
        return new HttpDocument(http.Url)
        {
            Method = http.Method,
            Headers = http.Headers.Count == 0 ? null : new Dictionary<string, string>(http.Headers),
            Body = http.Body,
            Timeout = Duration(http.RequestTimeout),
            MaxResponseBytes = http.MaxResponseBytes == defaults.MaxResponseBytes ? null : http.MaxResponseBytes,
        };
    }

    /// <summary>Only the fields that differ from <see cref="RetryPolicy.Default"/>, which the reader fills in.</summary>
    internal static RetryDocument Retry(RetryPolicy retry)
    {
        var d = RetryPolicy.Default;
        return new RetryDocument
        {
            Backoff = retry.Backoff == d.Backoff ? null : retry.Backoff,
            InitialDelay = retry.InitialDelay == d.InitialDelay ? null : Durations.Format(retry.InitialDelay),
            MaxDelay = retry.MaxDelay == d.MaxDelay ? null : Durations.Format(retry.MaxDelay),
            Jitter = retry.Jitter.Equals(d.Jitter) ? null : retry.Jitter,
            MaxAttempts = retry.MaxAttempts == d.MaxAttempts ? null : retry.MaxAttempts,
        };
    }

    internal static string? Duration(TimeSpan? duration) => duration is { } d ? Durations.Format(d) : null;

    /// <summary>Stored JSON (a payload, a filter) as JSON, not as text holding JSON.</summary>
    internal static JsonNode? Json(string? json) => json is null ? null : JsonNode.Parse(json);

    internal static List<T>? NoneIfEmpty<T>(IEnumerable<T> items) => items.ToList() is { Count: > 0 } list ? list : null;

    private static JsonObject ToJson<T>(T document) => JsonSerializer.SerializeToNode(document, KairosJson.Options)!.AsObject();
}

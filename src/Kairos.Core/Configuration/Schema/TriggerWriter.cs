using System.Text.Json;
using Kairos.Model;
using static Kairos.Configuration.Schema.DefinitionWriter;

namespace Kairos.Configuration.Schema;

/// <summary>Renders one trigger in the schema of the YAML file (<see cref="TriggerDocument"/>), its defaults left out.</summary>
internal static class TriggerWriter
{
    private static readonly FileTriggerSpec FileDefaults = new("/");
    private static readonly PollTriggerSpec PollDefaults = new();

    public static TriggerDocument Trigger(TriggerSpec trigger)
    {
        var common = new TriggerDocument
        {
            Misfire = trigger.Misfire == MisfirePolicy.FireOnce ? null : trigger.Misfire,
            Payload = Json(trigger.Payload),
            Jitter = Duration(trigger.Jitter),
            CatchUp = Duration(trigger.CatchUp),
            Overlap = trigger.Overlap,
            Publish = trigger.Publish,
        };
        return trigger switch
        {
            CronTriggerSpec cron => common with { Cron = cron.Expression, TimeZone = cron.TimeZone == "UTC" ? null : cron.TimeZone },
            IntervalTriggerSpec interval => common with
            {
                Interval = Durations.Format(interval.Every),
                Mode = interval.Mode == IntervalMode.FixedRate ? null : interval.Mode,
                Anchor = interval.Anchor,
            },
            OnceTriggerSpec once => common with { Once = once.At },
            NowTriggerSpec => common with { Now = true },
            WebhookTriggerSpec hook => common with { Webhook = hook.Hook },
            CompletionTriggerSpec completion => common with
            {
                Completion = completion.Job,
                On = completion.On == CompletionOutcome.Succeeded ? null : completion.On,
                MaxDepth = completion.MaxDepth,
            },
            FileTriggerSpec file => File(common, file),
            PollTriggerSpec poll => Poll(common, poll),
            _ => throw new ArgumentOutOfRangeException(nameof(trigger), trigger.GetType().Name, "a trigger kind the schema does not know"),
        };
    }

    private static TriggerDocument File(TriggerDocument common, FileTriggerSpec file) => common with
    {
        File = file.Path,
        Include = file.Include.SequenceEqual(FileDefaults.Include) ? null : file.Include.ToList(),
        Exclude = NoneIfEmpty(file.Exclude),
        Recursive = file.Recursive == FileDefaults.Recursive ? null : file.Recursive,
        Events = file.Events.SequenceEqual(FileDefaults.Events) ? null : file.Events.ToList(),
        Settle = file.Settle == FileDefaults.Settle ? null : Durations.Format(file.Settle),
        Reconcile = file.Reconcile == FileDefaults.Reconcile ? null : Durations.Format(file.Reconcile),
        AllowConcurrent = file.AllowConcurrent == FileDefaults.AllowConcurrent ? null : file.AllowConcurrent,
        IgnoreOwnChanges = file.IgnoreOwnChanges == FileDefaults.IgnoreOwnChanges ? null : file.IgnoreOwnChanges,
    };

    private static TriggerDocument Poll(TriggerDocument common, PollTriggerSpec poll) => common with
    {
        Poll = poll switch
        {
            { Http: { } http } => new System.Text.Json.Nodes.JsonObject
            {
                ["http"] = JsonSerializer.SerializeToNode(new PollHttpDocument(http.Url)
                {
                    Headers = http.Headers.Count == 0 ? null : new Dictionary<string, string>(http.Headers),
                    Status = http.Status,
                    Field = http.Field,
                    EqualsJson = Json(http.EqualsJson),
                    OnChange = http.OnChange ? true : null,
                }, KairosJson.Options),
            },
            { Sql: { } sql } => new System.Text.Json.Nodes.JsonObject
            {
                ["sql"] = JsonSerializer.SerializeToNode(sql.Connection.StartsWith("env:", StringComparison.Ordinal)
                    ? new PollSqlDocument(sql.Provider, null, sql.Connection[4..], sql.Query, sql.Watermark)
                    : new PollSqlDocument(sql.Provider, sql.Connection, null, sql.Query, sql.Watermark), KairosJson.Options),
            },
            _ => poll.Poller,
        },
        Every = Duration(poll.Interval),
        Timeout = poll.Timeout == PollDefaults.Timeout ? null : Durations.Format(poll.Timeout),
        AllowConcurrent = poll.AllowConcurrent,
    };
}

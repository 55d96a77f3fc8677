using Kairos.Access;
using Kairos.Client;
using Kairos.Events;
using Kairos.Model;
using Kairos.Storage;
using Microsoft.AspNetCore.Http;

namespace Kairos.Server.Dashboard;

/// <summary>
/// The subscription form as posted: its fields as typed, the problems of each (checked with the
/// engine's own parsers, so every field's message shows next to it at once, where saving would stop
/// at the first), and a preview of which recent events it would take.
/// </summary>
public sealed record SubscriptionForm(string? Original, string Name, string Events, string Job, string Filter, bool Active)
{
    /// <summary>How many of the newest events the preview tries the subscription on.</summary>
    public const int PreviewEvents = 50;

    public const int MaxFilterChars = 16 * 1024;

    /// <summary>Problems by field name (<c>name</c>, <c>events</c>, <c>job</c>, <c>filter</c>); empty when the form may be saved.</summary>
    public IReadOnlyDictionary<string, string> Errors { get; init; } = new Dictionary<string, string>();

    /// <summary>A problem of the whole form (the engine refused the save); null when none.</summary>
    public string? Refusal { get; init; }

    /// <summary>The preview asked for; null when not asked or when the form has problems.</summary>
    public SubscriptionPreview? Preview { get; init; }

    public bool IsNew => Original is null;

    public string? Error(string field) => Errors.GetValueOrDefault(field);

    public static SubscriptionForm Empty { get; } = new(null, "", "", "", "{}", true);

    public static SubscriptionForm Of(Subscription subscription) =>
        new(subscription.Name, subscription.Name, subscription.Pattern, subscription.Job, Display.Json(subscription.Filter), subscription.Active);

    public static SubscriptionForm Read(IFormCollection form) => new(
        DashboardQuery.Field(form, "original", 400),
        DashboardQuery.Field(form, "name", 400)?.Trim() ?? "",
        DashboardQuery.Field(form, "events")?.Trim() ?? "",
        DashboardQuery.Field(form, "job", 400)?.Trim() ?? "",
        DashboardQuery.Field(form, "filter", MaxFilterChars)?.Trim() ?? "",
        form["active"] == "yes");

    public Subscription ToSubscription() => new(Name, Events, Job) { Filter = Filter.Length == 0 ? "{}" : Filter, Active = Active };

    /// <summary>This form with the problems of each field found, as the engine would find them one by one.</summary>
    public async Task<SubscriptionForm> CheckedAsync(IKairosClient kairos, CancellationToken ct)
    {
        var errors = new Dictionary<string, string>();
        var qualified = Namespaces.Into(kairos.Namespace ?? Namespaces.Default, ToSubscription());
        if (Name.Length == 0 || JobRules.QualifiedName(qualified.Name, "subscription") is not null)
        {
            errors["name"] = Name.Length == 0 ? "Give the subscription a name." : JobRules.QualifiedName(qualified.Name, "subscription")!;
        }
        else if (IsNew && await kairos.GetSubscriptionAsync(Name, ct) is not null)
        {
            errors["name"] = $"A subscription named '{Name}' exists already: edit it, or choose another name.";
        }
        if (!EventTypePattern.TryParse(Events, out _, out var patternError))
        {
            errors["events"] = Events.Length == 0 ? "Say which event types it takes, such as order.* (every type: **)." : patternError!;
        }
        if (Job.Length == 0 || await kairos.GetJobAsync(Job, ct) is null)
        {
            errors["job"] = Job.Length == 0 ? "Name the job each matching event runs." : $"There is no job named '{Job}'.";
        }
        try
        {
            EventFilter.Parse(Filter);
        }
        catch (KairosValidationException ex)
        {
            errors["filter"] = ex.Message;
        }
        return this with { Errors = errors };
    }

    /// <summary>Which of the newest <see cref="PreviewEvents"/> events this subscription would take, matched as the router matches.</summary>
    public async Task<SubscriptionForm> PreviewedAsync(IKairosClient kairos, CancellationToken ct)
    {
        var subscription = Namespaces.Into(kairos.Namespace ?? Namespaces.Default, ToSubscription());
        var matcher = new SubscriptionMatcher();
        var recent = await kairos.ListEventsAsync(new EventQuery { Limit = PreviewEvents }, ct);
        var matching = new List<StoredEvent>();
        var failures = 0;
        foreach (var evt in recent)
        {
            try
            {
                if (matcher.Matches(subscription, new EventEnvelope(new EventRequest(evt.Type, evt.Source) { Data = evt.Data, Priority = evt.Priority })))
                {
                    matching.Add(evt);
                }
            }
            catch (Exception ex) when (ex is KairosValidationException or System.Text.Json.JsonException)
            {
                failures++; // The router records such an event as failed for this subscription and goes on; so does the preview.
            }
        }
        return this with { Preview = new SubscriptionPreview(recent.Count, matching, failures) };
    }
}

/// <summary>What the preview found: how many recent events it tried, those that match, and those it could not decide.</summary>
public sealed record SubscriptionPreview(int Examined, IReadOnlyList<StoredEvent> Matching, int Undecided);

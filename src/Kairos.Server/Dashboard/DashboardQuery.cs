using Kairos.Configuration;
using Kairos.Events;
using Kairos.Model;
using Microsoft.AspNetCore.Http;

namespace Kairos.Server.Dashboard;

/// <summary>
/// Query and form values as the dashboard reads them: bounded in length, and a value that does not
/// parse is a <see cref="KairosValidationException"/> naming the field (a 400 page), never a 500.
/// </summary>
internal static class DashboardQuery
{
    public const int MaxText = 200;

    /// <summary>The trimmed text of <paramref name="name"/>; null when absent or empty.</summary>
    public static string? Text(HttpRequest request, string name, int max = MaxText)
    {
        var value = request.Query[name].FirstOrDefault()?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        return value.Length <= max ? value : throw new KairosValidationException($"{name} is longer than {max} characters");
    }

    /// <summary>An id (of a run, an event…: <paramref name="what"/>); absent: null.</summary>
    public static long? Id(HttpRequest request, string name, string what = "run") =>
        Text(request, name, 20) is not { } text ? null
        : long.TryParse(text, out var id) && id > 0 ? id
        : throw new KairosValidationException($"{name} '{text}' is not {(what == "event" ? "an" : "a")} {what} id (a positive whole number)");

    /// <summary>A run state by its name (<c>queued</c>, <c>dead</c>…); absent or "any": null.</summary>
    public static RunState? State(HttpRequest request, string name) =>
        Text(request, name, 20) is not { } text || text == "any" ? null
        : RunStates.TryParse(text, out var state) ? state
        : throw new KairosValidationException($"{name} '{text}' is not one of any, {string.Join(", ", Enum.GetValues<RunState>().Select(s => s.ToWire()))}");

    /// <summary>An event status by its name (<c>pending</c>, <c>failed</c>…); absent or "any": null.</summary>
    public static EventStatus? Status(HttpRequest request, string name) =>
        Text(request, name, 20) is not { } text || text == "any" ? null
        : Enum.GetValues<EventStatus>().Where(s => Display.Status(s) == text).Cast<EventStatus?>().FirstOrDefault()
          ?? throw new KairosValidationException($"{name} '{text}' is not one of any, {string.Join(", ", Enum.GetValues<EventStatus>().Select(Display.Status))}");

    /// <summary>An event type pattern (<c>order.*</c>), checked as the engine checks it; absent: null.</summary>
    public static string? TypePattern(HttpRequest request, string name) =>
        Text(request, name) is not { } text ? null
        : EventTypePattern.TryParse(text, out _, out var error) ? text
        : throw new KairosValidationException($"{name}: {error}");

    /// <summary>An instant in ISO 8601 (UTC when it has no offset, as a browser's date and time field sends it); absent: null.</summary>
    public static DateTimeOffset? Instant(HttpRequest request, string name) =>
        Text(request, name, 40) is not { } text ? null
        : Durations.TryParseInstant(text, out var at) ? at
        : throw new KairosValidationException($"{name} '{text}' is not an instant such as 2026-12-07T09:00Z (UTC when it has no offset)");

    /// <summary>A count from 0 to <paramref name="max"/>; absent: 0.</summary>
    public static int Count(HttpRequest request, string name, int max) =>
        Text(request, name, 20) is not { } text ? 0
        : int.TryParse(text, out var n) && n >= 0 && n <= max ? n
        : throw new KairosValidationException($"{name} '{text}' is not a whole number from 0 to {max}");

    /// <summary>An id posted in a form field; missing or not a positive number: a <see cref="KairosValidationException"/> naming the field.</summary>
    public static long FormId(IFormCollection form, string name) =>
        long.TryParse(Field(form, name, 20), out var id) && id > 0 ? id : throw new KairosValidationException($"the form's {name} is not an id (a positive whole number)");

    /// <summary>yes/no as true/false; absent or "any": null.</summary>
    public static bool? YesNo(HttpRequest request, string name) => Text(request, name, 10) switch
    {
        null or "any" => null,
        "yes" => true,
        "no" => false,
        var other => throw new KairosValidationException($"{name} '{other}' is not one of any, yes, no"),
    };

    /// <summary>One of <paramref name="allowed"/>; absent or "any": null.</summary>
    public static string? Choice(HttpRequest request, string name, IReadOnlyList<string> allowed) => Text(request, name, 40) switch
    {
        null or "any" => null,
        var value when allowed.Contains(value) => value,
        var other => throw new KairosValidationException($"{name} '{other}' is not one of any, {string.Join(", ", allowed)}"),
    };

    /// <summary>The run ids ticked in a form (<c>run</c> fields), at most <paramref name="max"/>.</summary>
    public static IReadOnlyList<long> RunIds(IFormCollection form, int max)
    {
        var values = form["run"];
        if (values.Count > max)
        {
            throw new KairosValidationException($"at most {max} runs at once, not {values.Count}");
        }
        return values.Select(v => long.TryParse(v, out var id) && id > 0 ? id : throw new KairosValidationException($"run '{v}' is not a run id")).Distinct().ToList();
    }

    /// <summary>A form field's text, bounded; null when absent or empty.</summary>
    public static string? Field(IFormCollection form, string name, int max = MaxText)
    {
        var value = form[name].FirstOrDefault();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        return value.Length <= max ? value : throw new KairosValidationException($"{name} is longer than {max} characters");
    }
}

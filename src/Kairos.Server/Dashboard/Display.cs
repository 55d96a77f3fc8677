using System.Globalization;
using System.Text.Json;
using Kairos.Model;

namespace Kairos.Server.Dashboard;

/// <summary>How the pages write times, durations, states and JSON, the same way everywhere.</summary>
public static class Display
{
    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC" : "—";

    /// <summary>A time as its own zone reads it, with the offset: "2026-03-30 09:00 +02:00".</summary>
    public static string ZoneTime(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture);

    /// <summary>The machine-readable form for <c>&lt;time datetime&gt;</c>.</summary>
    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>"in 5 min", "3 h ago", "now".</summary>
    public static string Relative(DateTimeOffset time, DateTimeOffset now)
    {
        var span = time - now;
        var text = Span(span.Duration());
        return text == "now" ? text : span > TimeSpan.Zero ? "in " + text : text + " ago";
    }

    public static string Span(TimeSpan span) => span switch
    {
        { TotalSeconds: < 1 } => "now",
        { TotalMinutes: < 1 } => $"{(int)span.TotalSeconds} s",
        { TotalHours: < 1 } => $"{(int)span.TotalMinutes} min",
        { TotalDays: < 2 } => $"{(int)span.TotalHours} h {span.Minutes} min",
        _ => $"{(int)span.TotalDays} days",
    };

    public static string Duration(RunRecord run) => Took(run.StartedAt, run.FinishedAt);

    /// <summary>How long something took from start to finish; "—" until both are known.</summary>
    public static string Took(DateTimeOffset? started, DateTimeOffset? finished) =>
        started is { } s && finished is { } f ? Span(f - s) is "now" ? "< 1 s" : Span(f - s) : "—";

    public static string State(RunState state) => state.ToWire();

    public static string Status(Events.EventStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>JSON indented for reading; text that is not JSON as it is.</summary>
    public static string Json(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            return JsonSerializer.Serialize(document.RootElement, Indented);
        }
        catch (JsonException)
        {
            return text;
        }
    }

    public static string Percent(double? rate) => rate is { } r ? (r * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %" : "—";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}

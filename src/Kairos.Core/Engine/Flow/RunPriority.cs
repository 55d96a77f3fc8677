using System.Globalization;
using System.Text.Json;
using Kairos.Executors;
using Kairos.Model;

namespace Kairos.Engine.Flow;

/// <summary>
/// A run's priority from its payload (<see cref="FlowControl.Priority"/>): the template must give a
/// whole number from 1 to 10. Anything else — a missing path, "high", 11 — leaves the job's priority
/// and says why in the journal, rather than refusing the run.
/// </summary>
internal static class RunPriority
{
    /// <summary>The request with its priority from <paramref name="template"/>, and a note for the journal when the template gave nothing usable.</summary>
    public static (RunRequest Request, string? Note) Apply(RunRequest request, string template, int jobPriority)
    {
        string value;
        try
        {
            value = PayloadTemplate.Render(template, request.Payload).Trim();
        }
        catch (TemplateException ex)
        {
            return (request, Note(template, null, ex.Message, jobPriority));
        }
        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var priority) && JobRules.Priority(priority) is null
            ? (request with { Priority = priority }, null)
            : (request, Note(template, value, "not a whole number from 1 to 10", jobPriority));
    }

    private static string Note(string template, string? value, string reason, int jobPriority) =>
        JsonSerializer.Serialize(new { template, value, reason, priority = jobPriority }, KairosJson.Options);
}

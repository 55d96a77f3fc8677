using System.Diagnostics;

namespace Kairos.Observability;

/// <summary>
/// The <see cref="ActivitySource"/> <c>Kairos</c>: one span per run attempt (<see cref="RunTelemetry"/>).
/// Listeners subscribe by name, as they do to every other source, so there is one for the process.
/// </summary>
internal static class KairosActivities
{
    public const string SourceName = "Kairos";

    public const string RunSpan = "kairos.run";

    public static readonly ActivitySource Source = new(SourceName);
}

using System.Text.Json;

namespace Kairos.Storage;

/// <summary>What both stores agree on for nodes and leadership.</summary>
internal static class ClusterRules
{
    /// <summary>The name of the one leadership row: its holder fires time and poll triggers.</summary>
    public const string Leadership = "triggers";

    /// <summary>A node not seen for this long is dropped from the node list.</summary>
    public static readonly TimeSpan ForgetNodesAfter = TimeSpan.FromDays(1);

    /// <summary>The journal entry of a change of leader: who leads now (null: nobody), who led before.</summary>
    public static string LeaderNote(string? node, string? previous) =>
        JsonSerializer.Serialize(new { node, previous }, Model.KairosJson.Options);
}

using System.Text.Json;
using Kairos.Model;

namespace Kairos.Storage;

/// <summary>Journal entry data that both stores write the same way.</summary>
internal static class JournalNotes
{
    /// <summary>The data of a run.enqueued or run.skipped entry: where the run came from, when it is due, why it was skipped. Nulls left out.</summary>
    public static string Enqueued(RunRequest request, DateTimeOffset due, string? skipReason) =>
        JsonSerializer.Serialize(new
        {
            source = request.Source,
            dueAt = due,
            idempotencyKey = request.IdempotencyKey,
            parentRunId = request.ParentRunId,
            eventId = request.EventId,
            subscription = request.Subscription,
            reason = skipReason,
        }, KairosJson.Options);
}

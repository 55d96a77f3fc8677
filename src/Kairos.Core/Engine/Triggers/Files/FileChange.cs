using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Kairos.Model;
using Kairos.Storage;

namespace Kairos.Engine.Triggers.Files;

/// <summary>
/// One decided change of one path. <see cref="Current"/> is what the path holds now (null when
/// deleted); <see cref="Previous"/> what was recorded before (for a rename: at <see cref="OldPath"/>).
/// <see cref="NotifiedAt"/> is when an OS notification about it arrived, if one did.
/// </summary>
internal sealed record FileChange(FileChangeKind Kind, string Path, FileSnapshot? Current, FileSnapshot? Previous, string? OldPath, DateTimeOffset? NotifiedAt)
{
    /// <summary>The file's mtime as far as it says when the change happened (none for a deletion).</summary>
    public DateTimeOffset? ModifiedAt => Kind == FileChangeKind.Deleted ? null : Current?.ModifiedAt;

    public string Wire => Kind.ToString().ToLowerInvariant();

    /// <summary>The run for this change: payload {path, relativePath, change, size, mtime, oldPath, trigger, data}.</summary>
    public RunRequest Request(TriggerState trigger, FileTriggerSpec spec, string root)
    {
        var shown = Current ?? Previous; // A deleted file: its last recorded size and mtime.
        var payload = new JsonObject
        {
            ["path"] = Path,
            ["relativePath"] = FileScanner.Relative(root, Path),
            ["change"] = Wire,
            ["size"] = shown?.Size,
            ["mtime"] = shown?.ModifiedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        };
        if (OldPath is not null)
        {
            payload["oldPath"] = OldPath;
            payload["oldRelativePath"] = FileScanner.Relative(root, OldPath);
        }
        payload["trigger"] = trigger.Key;
        if (spec.Payload is { } data)
        {
            payload["data"] = JsonNode.Parse(data);
        }
        return new RunRequest(trigger.JobName, TriggerSources.File)
        {
            Payload = payload.ToJsonString(),
            TriggerId = trigger.Id,
            DedupeKey = spec.AllowConcurrent ? null : DedupeKey(),
        };
    }

    /// <summary>A hash of (path, size, mtime): the same file content state queued or running twice is one run.</summary>
    public string DedupeKey()
    {
        var text = Current is { } c
            ? string.Create(CultureInfo.InvariantCulture, $"{Path}\n{c.Size}\n{c.ModifiedAt.ToUnixTimeMilliseconds()}")
            : $"{Path}\ndeleted";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Kairos.Model;

/// <summary>
/// A trigger's identity across saves is its kind plus a hash of its definition: re-saving an
/// unchanged job keeps each trigger's fire state (so a restart neither re-fires a "now" trigger nor
/// forgets a cron's next time), while an edited trigger starts afresh.
/// </summary>
internal static class TriggerKeys
{
    public static string For(TriggerSpec spec)
    {
        var json = JsonSerializer.Serialize(spec, KairosJson.Options);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(json));
        return $"{spec.Source}:{Convert.ToHexStringLower(hash)[..12]}";
    }
}

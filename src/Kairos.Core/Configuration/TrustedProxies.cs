using System.Net;
using Kairos.Model;

namespace Kairos.Configuration;

/// <summary>
/// <c>api.trustedProxies</c>: the reverse proxies whose <c>X-Forwarded-For</c> and
/// <c>X-Forwarded-Proto</c> the server believes. Each entry is an address (<c>10.0.0.5</c>,
/// <c>::1</c>) or a range (<c>10.0.0.0/8</c>); an address alone is a range of one.
/// </summary>
internal static class TrustedProxies
{
    /// <summary>The range <paramref name="text"/> names, or null with <paramref name="error"/> saying why not.</summary>
    public static IPNetwork? Parse(string text, out string? error)
    {
        error = null;
        var trimmed = text.Trim();
        if (!trimmed.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(trimmed, out var address))
        {
            return new IPNetwork(address, address.GetAddressBytes().Length * 8);
        }
        if (trimmed.Contains('/', StringComparison.Ordinal) && IPNetwork.TryParse(trimmed, out var network))
        {
            // 10.0.0.1/8 is probably a typo for an address or for 10.0.0.0/8: say so rather than guess.
            if (IPAddress.TryParse(trimmed[..trimmed.IndexOf('/', StringComparison.Ordinal)], out var given) && !given.Equals(network.BaseAddress))
            {
                error = $"{InputText.Quote(text)} is not a CIDR range: its address has bits set past the prefix (the range is {network})";
                return null;
            }
            return network;
        }
        error = $"{InputText.Quote(text)} is not an IP address or a CIDR range such as 10.0.0.0/8";
        return null;
    }
}

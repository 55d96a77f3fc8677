using System.Net;
using System.Net.Sockets;

namespace Kairos.Executors.Http;

/// <summary>
/// Where HTTP jobs and HTTP poll triggers may connect (<c>engine.outboundHttp.allow</c>). Entries are
/// host names (<c>api.example.org</c>, <c>*.example.org</c>), addresses (<c>10.0.0.5</c>) or ranges
/// (<c>10.0.0.0/8</c>). With no entries any address may be reached except loopback, link-local
/// (cloud metadata services such as 169.254.169.254 live there) and unspecified ones; with entries,
/// only what they match. Loopback and link-local need an entry naming them either way, so a payload
/// that picks a URL cannot read the server's own services.
/// </summary>
internal sealed class OutboundHttpPolicy
{
    private readonly List<string> _hosts = [];
    private readonly List<string> _suffixes = [];
    private readonly List<(IPAddress Network, int Bits)> _ranges = [];

    private OutboundHttpPolicy(IReadOnlyList<string> entries)
    {
        foreach (var entry in entries)
        {
            if (Error(entry) is { } error)
            {
                throw new ArgumentException(error, nameof(entries));
            }
            if (TryRange(entry, out var range))
            {
                _ranges.Add(range);
            }
            else if (entry.StartsWith("*.", StringComparison.Ordinal))
            {
                _suffixes.Add(entry[1..].ToLowerInvariant());
            }
            else
            {
                _hosts.Add(entry.ToLowerInvariant());
            }
        }
        IsOpen = entries.Count == 0;
    }

    /// <summary>No entries: anything but loopback, link-local and unspecified addresses.</summary>
    public bool IsOpen { get; }

    public static OutboundHttpPolicy From(IReadOnlyList<string> entries) => new(entries);

    /// <summary>What is wrong with an entry, or null.</summary>
    public static string? Error(string? entry) =>
        string.IsNullOrWhiteSpace(entry) ? "an outboundHttp.allow entry must not be empty"
        : entry.Contains('/') && !TryRange(entry, out _) ? $"outboundHttp.allow entry '{entry}' is not an address range such as 10.0.0.0/8"
        : entry.Any(c => char.IsWhiteSpace(c) || c is ':' && !IPAddress.TryParse(entry, out _)) ? $"outboundHttp.allow entry '{entry}' is not a host name, address or range"
        : null;

    /// <summary>Why a connection to <paramref name="address"/> (resolved from <paramref name="host"/>) is refused, or null when it is allowed.</summary>
    public string? Refusal(string host, IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        var listed = MatchesHost(host) || _ranges.Any(r => InRange(address, r));
        if (Sensitive(address) is { } kind && !listed)
        {
            return $"outbound HTTP to {host} ({address}, {kind}) is refused; list it in engine.outboundHttp.allow if jobs should reach it";
        }
        return IsOpen || listed ? null : $"outbound HTTP to {host} ({address}) is refused: it is not in engine.outboundHttp.allow";
    }

    private bool MatchesHost(string host)
    {
        host = host.TrimEnd('.').ToLowerInvariant();
        return _hosts.Contains(host) || _suffixes.Any(s => host.EndsWith(s, StringComparison.Ordinal));
    }

    private static string? Sensitive(IPAddress address) =>
        IPAddress.IsLoopback(address) ? "loopback"
        : address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? "unspecified"
        : address.IsIPv6LinkLocal || (address.AddressFamily == AddressFamily.InterNetwork && address.GetAddressBytes() is [169, 254, ..]) ? "link-local"
        : null;

    private static bool TryRange(string entry, out (IPAddress Network, int Bits) range)
    {
        range = default;
        var slash = entry.IndexOf('/');
        if (slash < 0)
        {
            if (!IPAddress.TryParse(entry, out var single))
            {
                return false;
            }
            range = (single, single.GetAddressBytes().Length * 8);
            return true;
        }
        if (!IPAddress.TryParse(entry[..slash], out var network) || !int.TryParse(entry[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bits)
            || bits > network.GetAddressBytes().Length * 8)
        {
            return false;
        }
        range = (network, bits);
        return true;
    }

    private static bool InRange(IPAddress address, (IPAddress Network, int Bits) range)
    {
        var a = address.GetAddressBytes();
        var n = range.Network.GetAddressBytes();
        if (a.Length != n.Length)
        {
            return false;
        }
        for (var bit = 0; bit < range.Bits; bit++)
        {
            var mask = 0x80 >> (bit % 8);
            if ((a[bit / 8] & mask) != (n[bit / 8] & mask))
            {
                return false;
            }
        }
        return true;
    }
}

using System.Net;

namespace Kairos.Server.Access;

/// <summary>One address the server listens on (an entry of <c>--urls</c>), as far as access cares: which host, and whether it is loopback or every interface.</summary>
internal sealed record ListenAddress(string Url, string Host, bool IsWildcard, bool IsLoopback)
{
    public static ListenAddress Parse(string url)
    {
        var afterScheme = url.IndexOf("://", StringComparison.Ordinal) is var s and >= 0 ? url[(s + 3)..] : url;
        var hostAndPort = afterScheme.Split('/')[0];
        // "[::1]:8270" keeps its brackets; "host:8270" loses its port.
        var host = hostAndPort.StartsWith('[')
            ? hostAndPort[..(hostAndPort.IndexOf(']') + 1)]
            : hostAndPort.Split(':')[0];
        host = host.ToLowerInvariant();
        var wildcard = host is "*" or "+" or "0.0.0.0" or "[::]" or "";
        var loopback = host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
        return new ListenAddress(url, host, wildcard, loopback);
    }

    public static IReadOnlyList<ListenAddress> ParseAll(string urls) =>
        urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse).ToList();
}

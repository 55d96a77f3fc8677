using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Kairos.Server.Webhooks;

/// <summary>
/// The sender a per-address rate limit is kept for: the connection's remote address (which
/// ASP.NET Core's forwarded-headers middleware replaces with the client's, behind a proxy that
/// sets it). An IPv6 address counts by its /64 network, since one host is commonly given a whole
/// /64 and could otherwise take a fresh address, and a fresh bucket, for every request.
/// </summary>
internal static class WebhookSourceAddress
{
    public static string Of(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown"; // Not a TCP connection (tests' in-memory server, Unix socket): one shared bucket.
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
